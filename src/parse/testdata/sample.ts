import { readFile } from "fs/promises";

export interface Options {
  limit: number;
  verbose: boolean;
  name?: string;
}

export type Handler = (event: string, payload: unknown) => Promise<void>;

export enum Level {
  Debug,
  Info,
  Warning,
  Error,
}

export class Greeter {
  constructor(private name: string) {}
  greet(): string {
    return "Hello, " + this.name + "! Welcome aboard.";
  }
}

export async function load(path: string): Promise<Options> {
  const text = await readFile(path, "utf8");
  return JSON.parse(text) as Options;
}

describe("Greeter", () => {
  it("greets by name and says welcome", () => {
    expect(new Greeter("a").greet()).toBe("Hello, a! Welcome aboard.");
  });
});

namespace Util {
  export const value0: number = 0 * 2 + Math.floor(0 / 3);
  export const value1: number = 1 * 2 + Math.floor(1 / 3);
  export const value2: number = 2 * 2 + Math.floor(2 / 3);
  export const value3: number = 3 * 2 + Math.floor(3 / 3);
  export const value4: number = 4 * 2 + Math.floor(4 / 3);
  export const value5: number = 5 * 2 + Math.floor(5 / 3);
  export const value6: number = 6 * 2 + Math.floor(6 / 3);
  export const value7: number = 7 * 2 + Math.floor(7 / 3);
  export const value8: number = 8 * 2 + Math.floor(8 / 3);
  export const value9: number = 9 * 2 + Math.floor(9 / 3);
  export const value10: number = 10 * 2 + Math.floor(10 / 3);
  export const value11: number = 11 * 2 + Math.floor(11 / 3);
  export const value12: number = 12 * 2 + Math.floor(12 / 3);
  export const value13: number = 13 * 2 + Math.floor(13 / 3);
  export const value14: number = 14 * 2 + Math.floor(14 / 3);
  export const value15: number = 15 * 2 + Math.floor(15 / 3);
  export const value16: number = 16 * 2 + Math.floor(16 / 3);
  export const value17: number = 17 * 2 + Math.floor(17 / 3);
  export const value18: number = 18 * 2 + Math.floor(18 / 3);
  export const value19: number = 19 * 2 + Math.floor(19 / 3);
  export const value20: number = 20 * 2 + Math.floor(20 / 3);
  export const value21: number = 21 * 2 + Math.floor(21 / 3);
  export const value22: number = 22 * 2 + Math.floor(22 / 3);
  export const value23: number = 23 * 2 + Math.floor(23 / 3);
  export const value24: number = 24 * 2 + Math.floor(24 / 3);
  export const value25: number = 25 * 2 + Math.floor(25 / 3);
  export const value26: number = 26 * 2 + Math.floor(26 / 3);
  export const value27: number = 27 * 2 + Math.floor(27 / 3);
  export const value28: number = 28 * 2 + Math.floor(28 / 3);
  export const value29: number = 29 * 2 + Math.floor(29 / 3);
  export const value30: number = 30 * 2 + Math.floor(30 / 3);
  export const value31: number = 31 * 2 + Math.floor(31 / 3);
  export const value32: number = 32 * 2 + Math.floor(32 / 3);
  export const value33: number = 33 * 2 + Math.floor(33 / 3);
  export const value34: number = 34 * 2 + Math.floor(34 / 3);
  export const value35: number = 35 * 2 + Math.floor(35 / 3);
  export const value36: number = 36 * 2 + Math.floor(36 / 3);
  export const value37: number = 37 * 2 + Math.floor(37 / 3);
  export const value38: number = 38 * 2 + Math.floor(38 / 3);
  export const value39: number = 39 * 2 + Math.floor(39 / 3);
}
