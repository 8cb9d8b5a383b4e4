// A seeded random source for the demo-data model (xoroshiro128+ from pure-rand): the same seed always
// yields the same sequence, on every machine.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export class Random {
  readonly #rng;

  constructor(seed: number) {
    this.#rng = xoroshiro128plus(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return uniformFloat64(this.#rng);
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.float();
  }

  /** Uniform whole number in [0, count). */
  index(count: number): number {
    return Math.floor(this.float() * count);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Exponentially distributed waiting time with the given mean (memoryless: a constant hazard). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** An index drawn with probability proportional to `weights[i]`. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const weight of weights) total += weight;
    let target = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      target -= weights[i] as number;
      if (target < 0) return i;
    }
    return weights.length - 1;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.index(items.length)] as T;
  }
}
