// Extended Kalman filter for SOC (H1), after G. L. Plett, "Extended Kalman filtering for battery
// management systems of LiPB-based HEV battery packs, Part 2/3", J. Power Sources 134 (2004)
// 262-276 / 277-292.
//
// State x = [z, v1, v2, theta] (SOC, RC-branch voltages, v2 = 0 for 1 RC; theta = ln k, a scale
// k on every resistance of the set, the "joint estimation" of states and a parameter of Part 3),
// input I (A, + = discharge), measured terminal voltage y (V), cell temperature T (degC) used to
// look up every parameter (OCV, R0, R_j, tau_j are tables over temperature and SOC, plus the
// optional current scaling).
//   Predict:  z-  = z - I dt / (3600 Q)
//             vj- = a_j vj - k b_j I,   a_j = exp(-dt/tau_j), b_j = R_j (1 - a_j)
//             theta- = theta (random walk)
//             P-  = F P F^T + Qw dt,  F = diag(1, a1, a2, 1) + u e3^T,  u = (0, -k b1 I, -k b2 I, 0)
//   Update:   h(x-) = OCV(z-, T) - k R0 I + v1- + v2-,   H = [dOCV/dz, 1, 1, -k R0 I]
//             S = H P- H^T + Rv,  K = P- H^T / S,  x = x- + K (y - h),
//             Rv = sigma_v^2 + (rho (|k I R0| + |v1-| + |v2-|))^2  (model uncertainty grows with the
//             predicted drop and polarization)
//             P = P- - K S K^T   (= the Joseph form for this optimal gain), diagonal floored
// Why theta: where the tables are wrong by a factor (the cold, an aged cell, a cell the set was
// not identified on), a filter without it reads the persistent error of the predicted drop under
// load as an SOC error (the 0 degC HWFET drive cycle replayed with the tables of a cell 20 K
// colder: SOC RMSE 15 % without, 0.4 % with; `validate:twin --temp-offset`). theta is observable only under load (H[3] is proportional to I), so rests
// still settle the SOC on the OCV. Without theta (resistanceScale: false) the filter is the 3-state
// one of Part 2.
// Innovations beyond 3 standard deviations of S inflate R so that e^2/S = 9 (a Huber-like robust
// update against model error, e.g. at the end-of-discharge knee). The model error is correlated in
// time: for dt below its correlation time (1 s) R is scaled by 1 s / dt, so the filter's behaviour
// does not depend on the logging rate. When the SOC correction exceeds 2 %, the update is iterated
// (IEKF, relinearized at the updated state, at most 4 times). With a surface-SOC lag in the
// parameters (H9) the lag delta is propagated as in the model (delta = a delta + b I / Q, driven
// by the current only, so it needs no covariance) and every table is looked up at z - delta; H[0]
// is dOCV/dz there. The arithmetic on the symmetric 4x4 P is unrolled (the rows and columns of
// unused states stay 0); an update allocates nothing.
import type { CellParams } from '../battery/params';
import { compileCell, cellCoefficients, newCellCoefficients, surfaceLagCoefficients, type CompiledCell } from '../battery/ecm';

/** bound on theta = ln k: the resistance scale stays within [0.22, 4.5] */
const THETA_MAX = 1.5;

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
  /** estimate a resistance scale k = exp(theta) on R0 and the RC branches as a fourth state
   *  (joint estimation, Plett 2004 Part 3), so that a persistent polarization error of the model
   *  (e.g. in the cold) is not read as an SOC error; default true */
  resistanceScale?: boolean;
  /** initial standard deviation of theta = ln k (default 0.1: the set is right where it was identified) */
  resistanceScaleStd0?: number;
  /** random-walk density of theta (1/sqrt(s)), default 1e-2 (0.1 in 100 s: the error of the tables
   *  changes with SOC and temperature along a record) */
  resistanceScaleProcessStd?: number;
}

export class SocEkf {
  readonly model: CompiledCell;
  readonly rc2: boolean;
  capacityAh: number;
  /** state [z, v1, v2, theta]: SOC, RC-branch voltages (V), log resistance scale */
  readonly x = new Float64Array(4);
  /** covariance, symmetric, row-major 4x4 (rows / columns of unused states stay 0) */
  readonly P = new Float64Array(16);
  /** 4 with the resistance-scale state, else 3 */
  readonly nx: 3 | 4;
  private readonly rv: number;
  private readonly relResStd: number;
  private readonly gate: number;
  private readonly corrS: number;
  private readonly maxIter: number;
  /** process-noise densities of [z, v1, v2, theta] (0 for unused states) */
  private readonly qw = new Float64Array(4);
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
    this.nx = (opts.resistanceScale ?? true) ? 4 : 3;
    this.x[0] = opts.initialSoc;
    this.P[0] = s0 * s0;
    // the record normally starts from rest: RC voltages known to about 1 mV
    const sv = opts.rcVoltageStd0V ?? 1e-3;
    this.P[5] = sv * sv;
    this.qw[0] = (opts.socProcessStd ?? 2e-5) ** 2;
    this.qw[1] = (opts.vProcessStd ?? 1e-4) ** 2;
    if (this.rc2) {
      this.P[10] = sv * sv;
      // the slow (diffusion) branch is the least certain part of the model: let the filter track
      // its errors as a slowly varying voltage instead of pushing them into the SOC
      this.qw[2] = (opts.v2ProcessStd ?? 5e-4) ** 2;
    }
    if (this.nx === 4) {
      const st = opts.resistanceScaleStd0 ?? 0.1;
      this.P[15] = st * st;
      this.qw[3] = (opts.resistanceScaleProcessStd ?? 1e-2) ** 2;
    }
  }

  /** resistance scale k = exp(theta) (1 without the fourth state) */
  get resistanceScale(): number {
    return this.nx === 4 ? Math.exp(this.x[3]) : 1;
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
    const x = this.x;
    const four = this.nx === 4;
    // resistance scale k = exp(theta) (1 without the fourth state)
    const th = x[3];
    const kR = four ? Math.exp(th) : 1;
    // predict: x- = f(x, I); F = df/dx = diag(1, a1, a2, 1) + u e3^T, u = (0, -k b1 I, -k b2 I, 0)
    const z = x[0] - (currentA * dtS) / (3600 * this.capacityAh);
    const v1 = a1 * x[1] - kR * c.b1 * currentA;
    const v2 = this.rc2 ? a2 * x[2] - kR * c.b2 * currentA : 0;
    const u1 = four ? -kR * c.b1 * currentA : 0;
    const u2 = four && this.rc2 ? -kR * c.b2 * currentA : 0;
    // P- = F P F^T + Qw dt, unrolled on the 10 distinct entries of the symmetric 4x4:
    //   P-_ij = d_i d_j P_ij + d_i P_i3 u_j + u_i P_3j d_j + u_i u_j P_33,  d = (1, a1, a2, 1)
    const P = this.P;
    const qw = this.qw;
    const q03 = P[3];
    const q13 = P[7];
    const q23 = P[11];
    const q33 = P[15];
    const p00 = P[0] + qw[0] * dtS;
    const p01 = a1 * P[1] + q03 * u1;
    const p02 = a2 * P[2] + q03 * u2;
    const p03 = q03;
    const p11 = a1 * a1 * P[5] + 2 * a1 * q13 * u1 + u1 * u1 * q33 + qw[1] * dtS;
    const p12 = a1 * a2 * P[6] + a1 * q13 * u2 + u1 * q23 * a2 + u1 * u2 * q33;
    const p13 = a1 * q13 + u1 * q33;
    const p22 = this.rc2 ? a2 * a2 * P[10] + 2 * a2 * q23 * u2 + u2 * u2 * q33 + qw[2] * dtS : 0;
    const p23 = a2 * q23 + u2 * q33;
    const p33 = q33 + qw[3] * dtS;
    // update: h(x) = OCV(z_s) - k R0 I + v1 + v2,  H = [dOCV/dz, 1, h2, h3]
    let h0 = c.dOcvDSoc;
    const h2 = this.rc2 ? 1 : 0;
    let h3 = four ? -kR * c.r0Ohm * currentA : 0;
    const yhat = c.ocvV - kR * c.r0Ohm * currentA + v1 + v2;
    this.predictedV = yhat;
    const e = measuredV - yhat;
    this.innovationV = e;
    // measurement noise: sensor/model floor plus a resistance-uncertainty term that grows with
    // |I| times the total resistance (the model is least certain at high current, low
    // temperature and low SOC, where the resistances are large)
    // rho (|I R0| + |v1| + |v2|): an uncertain resistance scales the ohmic drop and the RC
    // polarization alike; the RC terms keep the filter cautious during rests that follow a load
    // (the polarization is still there and only known as well as the resistances)
    const ru = this.relResStd * (Math.abs(kR * currentA * c.r0Ohm) + Math.abs(v1) + Math.abs(v2));
    let rv = this.rv + ru * ru;
    // the model error is not white: samples closer together than its correlation time add little
    // information (a 10 Hz record must not pull the state 10 times as hard as a 1 Hz one)
    if (dtS < this.corrS) rv *= this.corrS / dtS;
    // g = P- H^T, S = H g + R
    let g0 = p00 * h0 + p01 + p02 * h2 + p03 * h3;
    let g1 = p01 * h0 + p11 + p12 * h2 + p13 * h3;
    let g2 = p02 * h0 + p12 + p22 * h2 + p23 * h3;
    let g3 = p03 * h0 + p13 + p23 * h2 + p33 * h3;
    let S = h0 * g0 + g1 + h2 * g2 + h3 * g3 + rv;
    // robust update: an innovation beyond gamma standard deviations is treated as model error
    // (e.g. the end-of-discharge knee), by inflating R so that e^2 / S = gamma^2
    const gamma = this.gate;
    if (gamma > 0 && e * e > gamma * gamma * S) {
      rv += (e * e) / (gamma * gamma) - S;
      S = (e * e) / (gamma * gamma);
    }
    let xz = z + (g0 / S) * e;
    let x1 = v1 + (g1 / S) * e;
    let x2 = v2 + (g2 / S) * e;
    let x3 = th + (g3 / S) * e;
    // Iterated EKF (Gauss-Newton on the measurement): when the SOC correction is large (a badly
    // initialized filter on a curved OCV), relinearize at the updated state:
    //   x_{i+1} = x- + K_i (y - h(x_i) - H_i (x- - x_i))
    for (let iter = 0; iter < this.maxIter && Math.abs(xz - z) > 0.02; iter++) {
      const zi = Math.min(Math.max(xz - lag, zLo), zHi);
      const ci = cellCoefficients(this.model, zi, tempC, currentA, dtS, this.ci);
      const kI = four ? Math.exp(x3) : 1;
      h0 = ci.dOcvDSoc;
      h3 = four ? -kI * c.r0Ohm * currentA : 0;
      const hx = ci.ocvV + ci.dOcvDSoc * (xz - lag - zi) - kI * c.r0Ohm * currentA + x1 + x2;
      const r = measuredV - hx - (h0 * (z - xz) + (v1 - x1) + h2 * (v2 - x2) + h3 * (th - x3));
      g0 = p00 * h0 + p01 + p02 * h2 + p03 * h3;
      g1 = p01 * h0 + p11 + p12 * h2 + p13 * h3;
      g2 = p02 * h0 + p12 + p22 * h2 + p23 * h3;
      g3 = p03 * h0 + p13 + p23 * h2 + p33 * h3;
      S = h0 * g0 + g1 + h2 * g2 + h3 * g3 + rv;
      const nz = z + (g0 / S) * r;
      const done = Math.abs(nz - xz) < 1e-4;
      xz = nz;
      x1 = v1 + (g1 / S) * r;
      x2 = v2 + (g2 / S) * r;
      x3 = th + (g3 / S) * r;
      if (done) break;
    }
    x[0] = Math.min(Math.max(xz, zLo - 0.1), zHi + 0.1);
    x[1] = x1;
    x[2] = x2;
    x[3] = Math.min(Math.max(x3, -THETA_MAX), THETA_MAX);
    // P = P- - g g^T / S (the Joseph form for this optimal gain K = g / S), diagonal floored
    const iS = 1 / S;
    P[0] = Math.max(p00 - g0 * g0 * iS, 1e-14);
    P[1] = P[4] = p01 - g0 * g1 * iS;
    P[2] = P[8] = p02 - g0 * g2 * iS;
    P[3] = P[12] = p03 - g0 * g3 * iS;
    P[5] = Math.max(p11 - g1 * g1 * iS, 1e-14);
    P[6] = P[9] = p12 - g1 * g2 * iS;
    P[7] = P[13] = p13 - g1 * g3 * iS;
    P[10] = this.rc2 ? Math.max(p22 - g2 * g2 * iS, 1e-14) : 0;
    P[11] = P[14] = p23 - g2 * g3 * iS;
    P[15] = four ? Math.max(p33 - g3 * g3 * iS, 1e-14) : 0;
    return this.x[0];
  }
}
