// Minimal typing for the parts of plotly.js-basic-dist-min (plotly.js's partial bundle with scatter, bar and pie; we draw only scatter) the workbench uses (no @types installed).
declare module 'plotly.js-basic-dist-min' {
  export interface PlotlyHTMLElement extends HTMLElement {
    on(event: string, handler: (e: Record<string, unknown>) => void): void;
    removeAllListeners?(event: string): void;
  }
  export interface PlotlyStatic {
    react(el: HTMLElement, data: object[], layout: object, config?: object): Promise<PlotlyHTMLElement>;
    relayout(el: HTMLElement, update: Record<string, unknown>): Promise<PlotlyHTMLElement>;
    purge(el: HTMLElement): void;
    Plots: { resize(el: HTMLElement): Promise<void> | void };
    Fx: { unhover(el: HTMLElement): void };
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
