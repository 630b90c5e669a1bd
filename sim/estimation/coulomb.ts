// Coulomb counting (H1): z(k+1) = z(k) - eta I dt / (3600 Q), I in A (+ = discharge), Q in Ah.
// eta is the coulombic efficiency applied to charge current (default 1).
export class CoulombCounter {
  soc: number;
  /** accumulated discharged charge (Ah, + = discharge) */
  ahDischarged = 0;
  constructor(
    initialSoc: number,
    public capacityAh: number,
    public chargeEfficiency = 1,
  ) {
    this.soc = initialSoc;
  }
  step(currentA: number, dtS: number): number {
    const dAh = (currentA * dtS) / 3600;
    this.ahDischarged += dAh;
    this.soc -= (currentA < 0 ? this.chargeEfficiency : 1) * (dAh / this.capacityAh);
    return this.soc;
  }
}

/** SOC trajectory by trapezoid-free ZOH coulomb counting over sampled data (I_k held over (t_{k-1}, t_k]). */
export function coulombCount(timeS: ArrayLike<number>, currentA: ArrayLike<number>, initialSoc: number, capacityAh: number): Float64Array {
  const out = new Float64Array(timeS.length);
  out[0] = initialSoc;
  for (let k = 1; k < timeS.length; k++) out[k] = out[k - 1] - (currentA[k] * (timeS[k] - timeS[k - 1])) / (3600 * capacityAh);
  return out;
}
