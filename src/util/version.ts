/** A major.minor version: a QEMU release or a Linux version. */
export interface MajorMinor {
  major: number;
  minor: number;
}

/** `v` is `major.minor` or later. */
export function atLeast(v: MajorMinor, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** An error the user can fix: a message in the tool's own words and a hint. */
export class HintedError extends Error {
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    if (hint !== undefined) this.hint = hint;
  }
}
