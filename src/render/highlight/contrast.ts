/**
 * WCAG 2 contrast for the code colours: the ratio of two colours, and a token colour made readable
 * on the code background (at least {@link AA}, 4.5:1, WCAG's level AA for normal text).
 * @module
 */

/** WCAG AA's minimum contrast for normal-size text. */
export const AA = 4.5;

/**
 * The background of highlighted code in each colour scheme: site.css's `--soft` (a `pre`'s
 * background). A test checks that site.css says the same.
 */
export const CODE_BACKGROUND = { light: '#f6f8fa', dark: '#151b23' } as const;

type Rgb = [number, number, number];

/** `#rgb`, `#rrggbb` or `#rrggbbaa` as 0-255 channels and an alpha (0-1); undefined for anything else. */
export function parseHex(colour: string): { rgb: Rgb; alpha: number } | undefined {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(colour.trim());
  if (!m) return undefined;
  let hex = m[1] as string;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const at = (i: number) => Number.parseInt(hex.slice(i, i + 2), 16);
  return { rgb: [at(0), at(2), at(4)], alpha: hex.length === 8 ? at(6) / 255 : 1 };
}

const toHex = (rgb: Rgb) => `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** WCAG's relative luminance of an opaque colour. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const v = c / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** A colour (alpha included) as painted on an opaque background. */
function over(colour: { rgb: Rgb; alpha: number }, background: Rgb): Rgb {
  return colour.rgb.map((c, i) => c * colour.alpha + (background[i] as number) * (1 - colour.alpha)) as Rgb;
}

function parsed(colour: string): { rgb: Rgb; alpha: number } {
  const p = parseHex(colour);
  if (!p) throw new Error(`contrast: not a hex colour: ${colour}`);
  return p;
}

/** The WCAG contrast ratio (1 to 21) of `colour` painted on the opaque `background`. */
export function contrast(colour: string, background: string): number {
  const bg = parsed(background).rgb;
  const [a, b] = [luminance(over(parsed(colour), bg)), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

/**
 * `colour` if it has at least `minimum` contrast on `background`; else the nearest colour that
 * does, found by mixing it with black (on a light background) or white (on a dark one) in steps of
 * 1/64. Lower-case `#rrggbb`; a colour that is not hex is returned as it is.
 */
export function readable(colour: string, background: string, minimum = AA): string {
  const c = parseHex(colour);
  if (!c) return colour;
  const bg = parsed(background).rgb;
  if (contrast(colour, background) >= minimum) return colour.toLowerCase();
  const base = over(c, bg);
  const target: Rgb = luminance(bg) > 0.18 ? [0, 0, 0] : [255, 255, 255];
  for (let step = 1; step <= 64; step++) {
    const t = step / 64;
    const mixed = toHex(base.map((v, i) => v + ((target[i] as number) - v) * t) as Rgb);
    if (contrast(mixed, background) >= minimum) return mixed;
  }
  return toHex(target);
}
