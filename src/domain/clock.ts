/** Time, passed in so that domain rules and workflows can be tested with any "now". */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
