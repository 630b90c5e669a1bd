// Minimal typing for the `kalman-filter` npm package (used only as the EKF baseline in bench/twin.ts).
declare module 'kalman-filter' {
  export class KalmanFilter {
    constructor(options: unknown);
    predict(options: unknown): { mean: number[][]; covariance: number[][] };
    correct(options: unknown): { mean: number[][]; covariance: number[][] };
    filter(options: unknown): { mean: number[][]; covariance: number[][] };
  }
  const _default: { KalmanFilter: typeof KalmanFilter };
  export default _default;
}
