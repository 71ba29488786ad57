// A 3×5 pixel font for the plot's labels, so the PNG needs no font file or native canvas.
// Each glyph: five rows of three pixels, top to bottom; letters render lower-case.
const GLYPHS: Record<string, string> = {
  "0": "111101101101111",
  "1": "010110010010111",
  "2": "111001111100111",
  "3": "111001111001111",
  "4": "101101111001001",
  "5": "111100111001111",
  "6": "111100111101111",
  "7": "111001001010010",
  "8": "111101111101111",
  "9": "111101111001111",
  a: "010101111101101",
  b: "110101110101110",
  c: "011100100100011",
  d: "110101101101110",
  e: "111100110100111",
  f: "111100110100100",
  g: "011100101101011",
  h: "101101111101101",
  i: "111010010010111",
  j: "001001001101010",
  k: "101101110101101",
  l: "100100100100111",
  m: "101111111101101",
  n: "110101101101101",
  o: "010101101101010",
  p: "110101110100100",
  q: "010101101110011",
  r: "110101110101101",
  s: "011100010001110",
  t: "111010010010010",
  u: "101101101101111",
  v: "101101101101010",
  w: "101101111111101",
  x: "101101010101101",
  y: "101101010010010",
  z: "111001010100111",
  ".": "000000000000010",
  "-": "000000111000000",
  "/": "001001010100100",
  ":": "000010000010000",
  "%": "101001010100101",
  "(": "010100100100010",
  ")": "010001001001010",
  "=": "000111000111000",
  "<": "001010100010001",
  ">": "100010001010100",
  ",": "000000000010100",
  _: "000000000000111",
  "+": "000010111010000",
  " ": "000000000000000",
};

/** Calls set(x, y) for every lit pixel of text drawn at (x, y) with the given pixel scale. */
export function drawText(
  text: string,
  x: number,
  y: number,
  scale: number,
  set: (x: number, y: number) => void,
) {
  let cx = x;
  for (const ch of text.toLowerCase()) {
    const g = GLYPHS[ch] ?? GLYPHS["-"];
    for (let i = 0; i < 15; i++) {
      if (g?.[i] !== "1") continue;
      const gx = cx + (i % 3) * scale;
      const gy = y + Math.floor(i / 3) * scale;
      for (let dx = 0; dx < scale; dx++) for (let dy = 0; dy < scale; dy++) set(gx + dx, gy + dy);
    }
    cx += 4 * scale;
  }
}

export const textWidth = (text: string, scale: number) => text.length * 4 * scale;
