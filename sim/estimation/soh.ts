// State-of-health estimation (H1): recursive least squares with exponential forgetting for the
// series resistance R0 and the capacity Q (scalar RLS, e.g. Plett, "Recursive approximate
// weighted total least squares estimation of battery cell total capacity", J. Power Sources 196
// (2011) 2319-2331, and the forgetting-factor RLS of Ljung, System Identification, 1999).
//
//  R0:  at a current step, the RC voltages cannot jump, so  dV_k = -R0 dI_k + e_k
//       (y = dV, phi = -dI, used when |dI| >= minStepA)
//  Q:   over a window between two SOC estimates z_a, z_b (e.g. from the EKF or from rested OCV)
//       the discharged charge is  Ah = Q (z_a - z_b) + e   (y = Ah, phi = dz, used when |dz| >= minDeltaSoc)
//  RLS: K = P phi / (lambda + phi P phi),  theta += K (y - phi theta),  P = (P - K phi P) / lambda
export class ScalarRls {
  theta: number;
  p: number;
  n = 0;
  constructor(
    theta0: number,
    p0: number,
    readonly lambda: number,
  ) {
    this.theta = theta0;
    this.p = p0;
  }
  update(y: number, phi: number): number {
    const k = (this.p * phi) / (this.lambda + phi * this.p * phi);
    this.theta += k * (y - phi * this.theta);
    this.p = (this.p - k * phi * this.p) / this.lambda;
    this.n++;
    return this.theta;
  }
}

export interface SohOptions {
  nominalCapacityAh: number;
  nominalR0Ohm: number;
  /** forgetting factors (default 0.999 for R0, 0.98 for capacity) */
  lambdaR0?: number;
  lambdaQ?: number;
  minStepA?: number;
  minDeltaSoc?: number;
}

export class SohEstimator {
  readonly r0: ScalarRls;
  readonly q: ScalarRls;
  private prevI = NaN;
  private prevV = NaN;
  private ahSince = 0;
  private socAnchor = NaN;
  private readonly minStep: number;
  private readonly minDz: number;
  constructor(readonly o: SohOptions) {
    this.r0 = new ScalarRls(o.nominalR0Ohm, (o.nominalR0Ohm * 10) ** 2, o.lambdaR0 ?? 0.999);
    this.q = new ScalarRls(o.nominalCapacityAh, (10 * o.nominalCapacityAh) ** 2, o.lambdaQ ?? 0.98);
    this.minStep = o.minStepA ?? 0.5;
    this.minDz = o.minDeltaSoc ?? 0.1;
  }
  /** Feed one sample: current (A, + = discharge) held over dtS, terminal voltage, SOC estimate (or NaN). */
  step(currentA: number, voltageV: number, dtS: number, socEstimate: number): void {
    if (Number.isFinite(this.prevI)) {
      const dI = currentA - this.prevI;
      if (Math.abs(dI) >= this.minStep) this.r0.update(voltageV - this.prevV, -dI);
    }
    this.prevI = currentA;
    this.prevV = voltageV;
    this.ahSince += (currentA * dtS) / 3600;
    if (Number.isFinite(socEstimate)) {
      if (!Number.isFinite(this.socAnchor)) {
        this.socAnchor = socEstimate;
        this.ahSince = 0;
      } else {
        const dz = this.socAnchor - socEstimate;
        if (Math.abs(dz) >= this.minDz) {
          this.q.update(this.ahSince, dz);
          this.socAnchor = socEstimate;
          this.ahSince = 0;
        }
      }
    }
  }
  get capacityAh(): number {
    return this.q.theta;
  }
  get r0Ohm(): number {
    return this.r0.theta;
  }
  /** capacity relative to nominal (SOH_Q) and resistance relative to nominal */
  get sohCapacity(): number {
    return this.q.theta / this.o.nominalCapacityAh;
  }
  get r0Ratio(): number {
    return this.r0.theta / this.o.nominalR0Ohm;
  }
}
