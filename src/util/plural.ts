/** `1 guest`, `2 guests`: a count and its noun, plural when the count is not 1. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
