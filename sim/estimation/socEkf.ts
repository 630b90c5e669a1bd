// Extended Kalman filter for SOC (H1), after G. L. Plett, "Extended Kalman filtering for battery
// management systems of LiPB-based HEV battery packs, Part 2/3", J. Power Sources 134 (2004)
// 262-276 / 277-292.
//
// State x = [z, v1, v2] (SOC, RC-branch voltages; v2 = 0 for 1 RC), input I (A, + = discharge),
// measured terminal voltage y (V), cell temperature T (degC) used to look up every parameter
// (OCV, R0, R_j, tau_j are tables over temperature and SOC, plus the optional current scaling).
//   Predict:  z-  = z - I dt / (3600 Q)
//             vj- = a_j vj - b_j I,   a_j = exp(-dt/tau_j), b_j = R_j (1 - a_j)
//             P-  = A P A^T + Qw,     A = diag(1, a1, a2)
//   Update:   h(x-) = OCV(z-, T) - R0 I + v1- + v2-,   H = [dOCV/dz, 1, 1]
//             S = H P- H^T + Rv,  K = P- H^T / S,  x = x- + K (y - h),
//             Rv = sigma_v^2 + (rho (|I R0| + |v1-| + |v2-|))^2  (model uncertainty grows with the
//             predicted drop and polarization)
//             P = (I - K H) P- (I - K H)^T + K Rv K^T   (Joseph form)
// Innovations beyond 3 standard deviations of S inflate R so that e^2/S = 9 (a Huber-like robust
// update against model error, e.g. at the end-of-discharge knee). The model error is correlated in
// time: for dt below its correlation time (1 s) R is scaled by 1 s / dt, so the filter's behaviour
// does not depend on the logging rate. When the SOC correction exceeds 2 %, the update is iterated (IEKF, relinearized at the updated
// state, at most 4 times). With a surface-SOC lag in the parameters (H9) the lag delta is propagated
// as in the model (delta = a delta + b I / Q, driven by the current only, so it needs no covariance)
// and every table is looked up at z - delta; H[0] is dOCV/dz there. All arithmetic on a 3x3 symmetric P is unrolled; an update allocates
// nothing.
import type { CellParams } from '../battery/params';
import { compileCell, cellCoefficients, newCellCoefficients, surfaceLagCoefficients, type CompiledCell } from '../battery/ecm';

export interface SocEkfOptions {
  initialSoc: number;
  /** initial SOC standard deviation (default 0.2) */
  socStd0?: number;
  /** measurement noise std (V), model + sensor (default 0.015) */
  voltageStdV?: number;
  /** SOC random-walk density (1/sqrt(s)), default 2e-5 */
  socProcessStd?: number;
  /** RC-voltage process noise density (V/sqrt(s)), default 1e-4 */
  vProcessStd?: number;
  rcPairs?: 1 | 2;
  /** slow-branch (RC2) voltage process noise density (V/sqrt(s)), default 5e-4 */
  v2ProcessStd?: number;
  /** relative uncertainty of the resistances: adds (std * (|I R0| + |v1| + |v2|))^2 to the voltage noise (default 0.5) */
  relResistanceStd?: number;
  /** IEKF relinearizations when one update moves the SOC by more than 2 % (default 4; 0 = plain EKF) */
  maxIterations?: number;
  /** innovations beyond this many standard deviations inflate R (robust update); 0 disables, default 3 */
  innovationGate?: number;
  /** initial RC-voltage standard deviation (V), default 1e-3 (start from rest) */
  rcVoltageStd0V?: number;
  /** capacity used for coulomb counting (Ah), default params.capacityAh */
  capacityAh?: number;
  /** correlation time of the model error (s), default 1 (the rate the noise settings were chosen
   *  at): updates closer together carry proportionally less information (R scaled by
   *  errorCorrelationS / dt), so a 10 Hz record pulls the state no harder than a 1 Hz one; 0 = white */
  errorCorrelationS?: number;
}

export class SocEkf {
  readonly model: CompiledCell;
  readonly rc2: boolean;
  capacityAh: number;
  /** state [z, v1, v2] */
  readonly x = new Float64Array(3);
  /** covariance, symmetric, row-major 3x3 */
  readonly P = new Float64Array(9);
  private readonly rv: number;
  private readonly relResStd: number;
  private readonly gate: number;
  private readonly corrS: number;
  private readonly maxIter: number;
  private readonly qz: number;
  private readonly qv: number;
  private readonly qv2: number;
  private readonly c = newCellCoefficients();
  private readonly ci = newCellCoefficients();
  /** last innovation (V) and predicted voltage (V) */
  innovationV = 0;
  predictedV = 0;
  clampCount = 0;
  /** surface lag delta = z - z_surf (H9), propagated deterministically */
  surfLag = 0;
  private readonly sl = new Float64Array(2);

  constructor(
    readonly params: CellParams,
    opts: SocEkfOptions,
    model?: CompiledCell,
  ) {
    this.model = model ?? compileCell(params);
    this.rc2 = (opts.rcPairs ?? (this.model.hasRc2 ? 2 : 1)) === 2 && this.model.hasRc2;
    this.capacityAh = opts.capacityAh ?? params.capacityAh;
    const s0 = opts.socStd0 ?? 0.2;
    this.rv = (opts.voltageStdV ?? 0.015) ** 2;
    this.relResStd = opts.relResistanceStd ?? 0.5;
    this.gate = opts.innovationGate ?? 3;
    this.corrS = opts.errorCorrelationS ?? 1;
    this.maxIter = opts.maxIterations ?? 4;
    this.qz = (opts.socProcessStd ?? 2e-5) ** 2;
    this.qv = (opts.vProcessStd ?? 1e-4) ** 2;
    // the slow (diffusion) branch is the least certain part of the model: let the filter track its
    // errors as a slowly varying voltage instead of pushing them into the SOC
    this.qv2 = (opts.v2ProcessStd ?? 5e-4) ** 2;
    this.x[0] = opts.initialSoc;
    this.P[0] = s0 * s0;
    // the record normally starts from rest: RC voltages known to about 1 mV
    const sv = opts.rcVoltageStd0V ?? 1e-3;
    this.P[4] = sv * sv;
    this.P[8] = this.rc2 ? sv * sv : 0;
  }

  get soc(): number {
    return this.x[0];
  }

  /** One predict + update with the current held over the last dtS seconds. */
  step(currentA: number, measuredV: number, tempC: number, dtS: number): number {
    const sl = surfaceLagCoefficients(this.model, tempC, dtS, this.sl);
    const lag = sl[0] * this.surfLag + (sl[1] * currentA) / this.capacityAh;
    this.surfLag = lag;
    // surface SOC at which the tables are read (= bulk SOC without a surface lag)
    const zPred = this.x[0] - (currentA * dtS) / (3600 * this.capacityAh) - lag;
    const zLo = this.model.gS.x0;
    const zHi = this.model.gS.x0 + this.model.gS.dx * (this.model.gS.n - 1);
    const zc = zPred < zLo ? zLo : zPred > zHi ? zHi : zPred;
    const c = cellCoefficients(this.model, zc, tempC, currentA, dtS, this.c);
    this.clampCount += c.clamped;
    // outside the SOC table: linear extrapolation of OCV keeps h(x) consistent with H
    if (zc !== zPred) c.ocvV += c.dOcvDSoc * (zPred - zc);
    const a1 = c.a1;
    const a2 = this.rc2 ? c.a2 : 0;
    // predict
    const z = this.x[0] - (currentA * dtS) / (3600 * this.capacityAh);
    const v1 = a1 * this.x[1] - c.b1 * currentA;
    const v2 = this.rc2 ? a2 * this.x[2] - c.b2 * currentA : 0;
    const P = this.P;
    // P- = A P A^T + Q, A = diag(1, a1, a2)
    let p00 = P[0] + this.qz * dtS;
    let p01 = a1 * P[1];
    let p02 = a2 * P[2];
    let p11 = a1 * a1 * P[4] + this.qv * dtS;
    let p12 = a1 * a2 * P[5];
    let p22 = this.rc2 ? a2 * a2 * P[8] + this.qv2 * dtS : 0;
    // update
    const h0 = c.dOcvDSoc;
    const h2 = this.rc2 ? 1 : 0;
    const yhat = c.ocvV - c.r0Ohm * currentA + v1 + v2;
    this.predictedV = yhat;
    const e = measuredV - yhat;
    this.innovationV = e;
    // PH^T
    const g0 = p00 * h0 + p01 + p02 * h2;
    const g1 = p01 * h0 + p11 + p12 * h2;
    const g2 = p02 * h0 + p12 + p22 * h2;
    // measurement noise: sensor/model floor plus a resistance-uncertainty term that grows with
    // |I| times the total resistance (the model is least certain at high current, low
    // temperature and low SOC, where the resistances are large)
    // rho (|I R0| + |v1| + |v2|): an uncertain resistance scales the ohmic drop and the RC
    // polarization alike; the RC terms keep the filter cautious during rests that follow a load
    // (the polarization is still there and only known as well as the resistances)
    const ru = this.relResStd * (Math.abs(currentA * c.r0Ohm) + Math.abs(v1) + Math.abs(v2));
    let rv = this.rv + ru * ru;
    // the model error is not white: samples closer together than its correlation time add little
    // information (a 10 Hz record must not pull the state 10 times as hard as a 1 Hz one)
    if (dtS < this.corrS) rv *= this.corrS / dtS;
    let S = h0 * g0 + g1 + h2 * g2 + rv;
    // robust update: an innovation beyond gamma standard deviations is treated as model error
    // (e.g. the end-of-discharge knee), by inflating R so that e^2 / S = gamma^2
    const gamma = this.gate;
    if (gamma > 0 && e * e > gamma * gamma * S) {
      rv += (e * e) / (gamma * gamma) - S;
      S = (e * e) / (gamma * gamma);
    }
    let k0 = g0 / S;
    let k1 = g1 / S;
    let k2 = g2 / S;
    let g0i = g0;
    let g1i = g1;
    let g2i = g2;
    let xz = z + k0 * e;
    let x1 = v1 + k1 * e;
    let x2 = v2 + k2 * e;
    // Iterated EKF (Gauss-Newton on the measurement): when the SOC correction is large (a badly
    // initialized filter on a curved OCV), relinearize at the updated state:
    //   x_{i+1} = x- + K_i (y - h(x_i) - H_i (x- - x_i))
    for (let iter = 0; iter < this.maxIter && Math.abs(xz - z) > 0.02; iter++) {
      const zi = Math.min(Math.max(xz - lag, zLo), zHi);
      const ci = cellCoefficients(this.model, zi, tempC, currentA, dtS, this.ci);
      const ocvI = ci.ocvV + ci.dOcvDSoc * (xz - lag - zi);
      const hI = ci.dOcvDSoc;
      const hx = ocvI - c.r0Ohm * currentA + x1 + x2;
      const r = measuredV - hx - (hI * (z - xz) + (v1 - x1) + h2 * (v2 - x2));
      g0i = p00 * hI + p01 + p02 * h2;
      g1i = p01 * hI + p11 + p12 * h2;
      g2i = p02 * hI + p12 + p22 * h2;
      S = hI * g0i + g1i + h2 * g2i + rv;
      k0 = g0i / S;
      k1 = g1i / S;
      k2 = g2i / S;
      const nz = z + k0 * r;
      const done = Math.abs(nz - xz) < 1e-4;
      xz = nz;
      x1 = v1 + k1 * r;
      x2 = v2 + k2 * r;
      if (done) break;
    }
    this.x[0] = Math.min(Math.max(xz, zLo - 0.1), zHi + 0.1);
    this.x[1] = x1;
    this.x[2] = x2;
    // Joseph form: P = (I - K H) P- (I - K H)^T + K R K^T; with P- H^T = g this equals
    // P- - K g^T - g K^T + K (S) K^T  (S = H P- H^T + R)
    p00 = p00 - 2 * k0 * g0i + k0 * k0 * S;
    p01 = p01 - k0 * g1i - g0i * k1 + k0 * k1 * S;
    p02 = p02 - k0 * g2i - g0i * k2 + k0 * k2 * S;
    p11 = p11 - 2 * k1 * g1i + k1 * k1 * S;
    p12 = p12 - k1 * g2i - g1i * k2 + k1 * k2 * S;
    p22 = p22 - 2 * k2 * g2i + k2 * k2 * S;
    P[0] = Math.max(p00, 1e-14);
    P[1] = P[3] = p01;
    P[2] = P[6] = p02;
    P[4] = Math.max(p11, 1e-14);
    P[5] = P[7] = p12;
    P[8] = this.rc2 ? Math.max(p22, 1e-14) : 0;
    return this.x[0];
  }
}
