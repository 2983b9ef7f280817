const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const ITEMS = 'items';
/** JSON's white space: space, tab, line feed, carriage return. */
const WHITE_SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * A Kubernetes list's JSON read as it arrives, chunk by chunk: each object of its `items` is parsed on its own and
 * handed on as soon as its text is complete, and the rest of the list (kind, metadata with the continue token) is
 * parsed at the end. A page of thousands of pods is then never held whole, neither its text nor its parsed tree: only
 * the object being read. Parsing the page at once kept both alive until its last object was read, long enough for the
 * garbage collector to move them to the old generation, which grew by the page's size several times over per list.
 *
 * The JSON is only scanned for its structure (strings, escapes, brackets), never interpreted: each object's bytes go to
 * JSON.parse, so what comes out is what JSON.parse of the whole would give, object for object. An item that is not
 * an object (a list never has one) is refused as malformed JSON would be.
 */
export class ListItemsReader {
  /** Open brackets around the current byte: 1 inside the list object, 2 inside its items array, 3+ inside an item. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /**
   * The first bytes of the string being read at depth 1 (a key of the list object), and the last such string: only
   * whether it is `items` matters, so a longer string (a Status message) is kept no further than one byte past it.
   */
  private key: number[] | undefined;
  private lastKey = '';
  /** Inside the items array, between two items (where only commas and white space may come). */
  private betweenItems = false;
  /** The parts of the item being read that arrived in earlier chunks. */
  private itemParts: Uint8Array[] = [];
  /** Everything outside the items array, copied (a chunk is not kept for a few bytes of it). */
  private readonly rest: Buffer[] = [];

  constructor(private readonly each: (item: unknown) => void) {}

  /** Reads the next chunk of the answer, handing on every item it completes. */
  push(chunk: Uint8Array): void {
    // Where, in this chunk, the item being read starts, and the bytes of the rest start (-1: none).
    let itemFrom = this.itemParts.length > 0 ? 0 : -1;
    let restFrom = itemFrom >= 0 || this.betweenItems ? -1 : 0;
    for (let index = 0; index < chunk.length; index++) {
      const byte = chunk[index] as number;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (!this.key) index = this.skipString(chunk, index);
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.endString();
        else if (this.key.length <= ITEMS.length) this.key.push(byte);
      } else if (this.betweenItems) {
        if (byte === OPEN_OBJECT) {
          this.betweenItems = false;
          itemFrom = index;
          this.depth++;
        } else if (byte === CLOSE_ARRAY) {
          this.betweenItems = false;
          restFrom = index;
          this.depth--;
        } else if (byte !== COMMA && !WHITE_SPACE.has(byte)) {
          throw new SyntaxError(`list item at byte ${index} of a chunk is not an object`);
        }
      } else if (byte === QUOTE) {
        this.inString = true;
        this.key = this.depth === 1 ? [] : undefined;
      } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        if (this.depth === 1 && byte === OPEN_ARRAY && this.lastKey === ITEMS) {
          this.rest.push(Buffer.from(chunk.subarray(restFrom, index + 1)));
          restFrom = -1;
          this.betweenItems = true;
        }
        this.depth++;
      } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
        this.depth--;
        if (itemFrom >= 0 && this.depth === 2) {
          this.endItem(chunk.subarray(itemFrom, index + 1));
          itemFrom = -1;
          this.betweenItems = true;
        }
      }
    }
    if (itemFrom >= 0) this.itemParts.push(chunk.subarray(itemFrom));
    else if (restFrom >= 0) this.rest.push(Buffer.from(chunk.subarray(restFrom)));
  }

  /** The list without its items (handed on already), once the whole answer was read. */
  end(): Record<string, unknown> {
    if (this.depth !== 0 || this.inString) throw new SyntaxError('Unexpected end of JSON input');
    return JSON.parse(Buffer.concat(this.rest).toString('utf8')) as Record<string, unknown>;
  }

  /**
   * Inside a string whose text does not matter (any but a key of the list object), from `index` (not escaped): the
   * index of its closing quote, the string ended there; or, when the chunk ends first, its last index, `escaped` set if
   * the chunk ends on an escaping backslash. Most of a list's bytes are in strings: the quote is found by indexOf
   * rather than byte by byte, and a quote counts as closing when an even number of backslashes precede it.
   */
  private skipString(chunk: Uint8Array, index: number): number {
    for (let from = index; ; ) {
      const quote = chunk.indexOf(QUOTE, from);
      const end = quote === -1 ? chunk.length : quote;
      let backslashes = 0;
      while (end - backslashes - 1 >= index && chunk[end - backslashes - 1] === BACKSLASH) backslashes++;
      if (quote === -1) {
        this.escaped = backslashes % 2 === 1;
        return chunk.length - 1;
      }
      if (backslashes % 2 === 0) {
        this.endString();
        return quote;
      }
      from = quote + 1;
    }
  }

  private endString(): void {
    this.inString = false;
    if (this.key) this.lastKey = String.fromCharCode(...this.key);
    this.key = undefined;
  }

  private endItem(last: Uint8Array): void {
    const parts = this.itemParts;
    this.itemParts = [];
    const bytes = parts.length > 0 ? Buffer.concat([...parts, last]) : last;
    this.each(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')));
  }
}
