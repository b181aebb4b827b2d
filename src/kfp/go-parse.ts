/**
 * Go's `strconv.Atoi` and `time.ParseDuration`, with their error texts. robfig/cron v1.2.0 (KFP's cron parser)
 * reads numbers and `@every` durations with them, so what they accept, refuse and round decides what KFP accepts:
 * `+5`, `-0`, `.5h`, `1.h`, `µs`, `-1h`, and int64 nanosecond overflow (`3000000h`) all follow Go here.
 */

const TWO63 = 1n << 63n;
const INT64_MAX = TWO63 - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

/** `strconv.Quote` (as NumError prints its input): printable characters as is, others escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (c < 0x80) out += `\\x${hex(c, 2)}`;
    else if (/[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else out += c < 0x10000 ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`;
  }
  return `${out}"`;
}

/** The `time` package's own quote(): non-ASCII and control characters as `\x` escapes of their UTF-8 bytes. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) for (const b of new TextEncoder().encode(ch)) out += `\\x${hex(b, 2)}`;
    else out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
  }
  return `${out}"`;
}

/** `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits, int64 range; throws Go's NumError text. */
export function goAtoi(s: string): bigint {
  const fail = (why: string) => new Error(`strconv.Atoi: parsing ${goQuote(s)}: ${why}`);
  const neg = s[0] === '-';
  const digits = neg || s[0] === '+' ? s.slice(1) : s;
  if (digits === '') throw fail('invalid syntax');
  let n = 0n;
  for (const c of digits) {
    if (!isDigit(c)) throw fail('invalid syntax');
    n = n * 10n + BigInt(c.charCodeAt(0) - 48);
    // ParseUint stops at the first uint64 overflow, before looking at the rest.
    if (n > UINT64_MAX) throw fail('value out of range');
  }
  if (neg ? n > TWO63 : n > INT64_MAX) throw fail('value out of range');
  return neg ? -n : n;
}

const UNITS = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` in int64 nanoseconds, or throws Go's error text. */
export function goParseDuration(orig: string): bigint {
  const invalid = () => new Error(`time: invalid duration ${timeQuote(orig)}`);
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    let v = 0n;
    let i = 0;
    for (; isDigit(s[i]); i++) {
      if (v > TWO63 / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO63) throw invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      // Fraction digits past int64 precision are consumed but ignored.
      let overflow = false;
      for (i = 0; isDigit(s[i]); i++) {
        if (overflow) continue;
        const y = f * 10n + BigInt(s.charCodeAt(i) - 48);
        if (f > INT64_MAX / 10n || y > TWO63) overflow = true;
        else {
          f = y;
          scale *= 10;
        }
      }
      post = i > 0;
      s = s.slice(i);
    }
    if (!pre && !post) throw invalid();
    for (i = 0; i < s.length && s[i] !== '.' && !isDigit(s[i]); i++);
    if (i === 0) throw new Error(`time: missing unit in duration ${timeQuote(orig)}`);
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS.get(u);
    if (unit === undefined) throw new Error(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`);
    if (v > TWO63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64, then truncates: same rounding here.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO63) throw invalid();
    }
    d = BigInt.asUintN(64, d + v); // uint64 arithmetic, as in Go
    if (d > TWO63) throw invalid();
  }
  if (neg) return -d;
  if (d > INT64_MAX) throw invalid();
  return d;
}
