/**
 * CSV records (RFC 4180 plus what spreadsheets write): comma-separated fields, fields in double
 * quotes may hold commas, line breaks and doubled quotes. Rows may have any number of fields;
 * empty lines are skipped. Records end at the line break the file uses: the first one found
 * outside quotes (`\r\n`, `\n` or `\r`) is the only one for the rest of the file, as csv-parse
 * decides it, so the two read every file alike (a property test compares them).
 *
 * One pass over the text with `indexOf` and `slice`: a field's value is a slice of the text
 * unless it holds doubled quotes.
 */
export class CsvError extends Error {}

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

export function parseCsvRecords(text: string, maxRecordChars: number): string[][] {
  const records: string[][] = [];
  const end = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** The record delimiter, once the first one outside quotes has been seen. */
  let eol: "" | "\n" | "\r" | "\r\n" = "";
  const lineAt = (at: number) => {
    let line = 1;
    for (let k = text.indexOf("\n"); k !== -1 && k < at; k = text.indexOf("\n", k + 1)) line++;
    return line;
  };
  /** The length of the record delimiter at `at`, or 0. Fixes the delimiter on first sight. */
  const delimiterAt = (at: number): number => {
    const c = text.charCodeAt(at);
    if (c !== LF && c !== CR) return 0;
    if (eol === "") eol = c === LF ? "\n" : text.charCodeAt(at + 1) === LF ? "\r\n" : "\r";
    if (eol === "\r\n") return c === CR && text.charCodeAt(at + 1) === LF ? 2 : 0;
    return c === eol.charCodeAt(0) ? 1 : 0;
  };

  while (i < end) {
    const recordStart = i;
    // An empty line: no record.
    const blank = delimiterAt(i);
    if (blank) {
      i += blank;
      continue;
    }
    const record: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === QUOTE) {
        // Quoted: up to the quote that is not doubled.
        let from = i + 1;
        value = "";
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) throw new CsvError(`a quoted field is not closed (it opens on line ${lineAt(i)})`);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += text.slice(from, q);
          i = q + 1;
          break;
        }
        if (i < end && text.charCodeAt(i) !== COMMA && !delimiterAt(i))
          throw new CsvError(
            `line ${lineAt(i)}: after a closing quote comes ${JSON.stringify(text[i])}; a comma or the end of the line must follow it`,
          );
      } else {
        const from = i;
        for (; i < end; i++) {
          const c = text.charCodeAt(i);
          if (c === COMMA || ((c === LF || c === CR) && delimiterAt(i))) break;
          if (c === QUOTE)
            throw new CsvError(
              `line ${lineAt(i)}: a quote inside a field that does not start with one; put the whole field in quotes and double the quotes inside it`,
            );
        }
        value = text.slice(from, i);
      }
      record.push(value);
      if (i - recordStart > maxRecordChars)
        throw new CsvError(`line ${lineAt(recordStart)}: a row is longer than ${maxRecordChars} characters`);
      if (i >= end) break;
      if (text.charCodeAt(i) === COMMA) {
        i++;
        if (i >= end) {
          record.push("");
          break;
        }
        continue;
      }
      i += delimiterAt(i);
      break;
    }
    records.push(record);
  }
  return records;
}
