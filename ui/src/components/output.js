// A live output pane, written to the DOM directly rather than through Preact: megabytes of output arrive in
// thousands of pieces, so pieces are queued and appended once per animation frame within a time budget, and only
// the newest part stays in the page (the whole log is a download away). The text goes into blocks of about 4 KB
// that end at a line break: appending and dropping old output lays out one small block, not the whole pane. ANSI
// colours become classes (anser, one per stream: a colour set in one piece goes on in the next); bytes that are not
// UTF-8 are shown with replacement characters and a note, never as markup.
import Anser from "anser";

const kFrameBudgetMs = 6;
const kKeepChars = 400_000; // in the page per pane; older output is dropped from view
const kBlockChars = 4096;
// Text drawn per frame: the layout it causes comes after the script's time budget, so it is capped apart.
const kFrameChars = 48_000;
const kPieceChars = 8192; // a chunk of output is drawn in pieces of about this size, cut after a line break
const kControl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g; // after anser took the colours
const kIncompleteEscape = /\u001b(\[[0-9;?]*)?$/;
const kColourEscape = /\u001b\[[0-9;]*m/g;
const decoder = new TextDecoder("utf-8");

function fromBase64(text) {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export class OutputView {
  /// `element`: the <pre>; `onFollow(following)`: told when auto-scroll stops or starts again.
  constructor(element, onFollow) {
    this.element = element;
    this.onFollow = onFollow;
    this.queue = [];
    this.queuedChars = 0; // text waiting in the queue
    this.carry = { stdout: "", stderr: "" };
    this.colours = { stdout: new Anser(), stderr: new Anser() }; // each keeps the colours in force on its stream
    this.chars = 0;
    this.block = null; // the block being filled, and its length
    this.blockChars = 0;
    this.trimmed = false;
    this.following = true;
    this.frame = 0;
    this.binaryNoted = false;
    this.scrollHandler = () => {
      const el = this.element;
      const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      if (atBottom !== this.following) {
        this.following = atBottom;
        this.onFollow?.(atBottom);
      }
    };
    element.addEventListener("scroll", this.scrollHandler, { passive: true });
  }

  dispose() {
    cancelAnimationFrame(this.frame);
    this.element.removeEventListener("scroll", this.scrollHandler);
  }

  /// One output item of the task API ({stream, data, encoding}).
  push(item) {
    let text = item.data;
    if (item.encoding === "base64") {
      text = decoder.decode(fromBase64(item.data));
      if (!this.binaryNoted) {
        this.binaryNoted = true;
        this.queue.push({ note: "[output that is not UTF-8 follows: shown with replacement characters]\n" });
      }
    }
    // Big chunks in pieces that end a line: the frame budget applies between pieces, and a block stays small.
    for (let start = 0; start < text.length; ) {
      let end = Math.min(text.length, start + kPieceChars);
      if (end < text.length) {
        const newline = text.indexOf("\n", end);
        if (newline !== -1 && newline - end < kPieceChars) end = newline + 1;
      }
      this.queue.push({ stream: item.stream, text: text.slice(start, end) });
      this.queuedChars += end - start;
      start = end;
    }
    this.skipQueuedBeyondKeep();
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  note(text) {
    this.queue.push({ note: text });
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  follow() {
    this.following = true;
    this.onFollow?.(true);
    this.element.scrollTop = this.element.scrollHeight;
  }

  /// Output that would be dropped from view as soon as it was drawn is not kept: after a burst only the newest
  /// kKeepChars are worth the layout, and in a hidden tab (no animation frames, so no flush) the queue stays small.
  skipQueuedBeyondKeep() {
    while (this.queuedChars > kKeepChars && this.queue.length > 1) {
      const piece = this.queue.shift();
      if (!piece.text) continue;
      this.queuedChars -= piece.text.length;
      this.trimmed = true;
      // Its colour changes still count for what follows; only the escapes go through anser, not the text.
      const escapes = piece.text.match(kColourEscape);
      if (escapes) this.colours[piece.stream].ansiToJson(escapes.join(""), { use_classes: true });
    }
  }

  flush() {
    this.frame = 0;
    const started = performance.now();
    let drawn = 0;
    while (this.queue.length && drawn < kFrameChars && performance.now() - started < kFrameBudgetMs) {
      const piece = this.queue.shift();
      const length = piece.text?.length || 0;
      this.queuedChars -= length;
      drawn += length;
      if (piece.note) {
        const span = document.createElement("span");
        span.className = "note";
        span.textContent = piece.note;
        this.append(span, piece.note);
        continue;
      }
      this.render(piece);
    }
    this.trim();
    if (this.following) this.element.scrollTop = this.element.scrollHeight;
    if (this.queue.length) this.frame = requestAnimationFrame(() => this.flush());
  }

  /// Adds `node` (holding `text`) to the current block; a full block that ends a line is closed.
  append(node, text) {
    if (!this.block) {
      this.block = document.createElement("div");
      this.block.className = "chunk";
      this.blockChars = 0;
      this.element.append(this.block);
    }
    this.block.append(node);
    this.blockChars += text.length;
    this.chars += text.length;
    if (this.blockChars >= kBlockChars && text.endsWith("\n")) this.block = null;
  }

  render(piece) {
    // An escape sequence cut between two pieces waits for the rest.
    let text = this.carry[piece.stream] + piece.text;
    const cut = text.match(kIncompleteEscape);
    this.carry[piece.stream] = cut ? cut[0] : "";
    if (cut) text = text.slice(0, cut.index);
    if (!text) return;
    const colours = this.colours[piece.stream];
    // The colours in force as the piece begins: anser leaves them off the text before the piece's first escape.
    const { fg, bg } = colours;
    const decorations = [...colours.decorations];
    const parts = colours.ansiToJson(text, { use_classes: true, remove_empty: true });
    if (!text.startsWith("\u001b[") && parts.length) Object.assign(parts[0], { fg, bg, decorations });
    for (const part of parts) {
      const classes = [];
      if (piece.stream === "stderr") classes.push("stderr");
      if (part.fg && part.fg !== "ansi-truecolor") classes.push(`${part.fg}-fg`);
      if (part.bg && part.bg !== "ansi-truecolor") classes.push(`${part.bg}-bg`);
      for (const d of part.decorations || []) classes.push(`ansi-${d}`);
      // Split at the last line break, so a block closes at the end of a line.
      const content = part.content.replace(kControl, "\ufffd");
      const end = content.lastIndexOf("\n") + 1;
      for (const slice of end > 0 && end < content.length ? [content.slice(0, end), content.slice(end)] : [content]) {
        if (classes.length) {
          const span = document.createElement("span");
          span.className = classes.join(" ");
          span.textContent = slice;
          this.append(span, slice);
        } else {
          this.append(document.createTextNode(slice), slice);
        }
      }
    }
  }

  trim() {
    const el = this.element;
    while (this.chars > kKeepChars && el.childNodes.length > 1) {
      const block = el.firstChild;
      this.chars -= block.textContent.length;
      block.remove();
      this.trimmed = true;
    }
    if (this.trimmed && !el.dataset.trimmed) {
      el.dataset.trimmed = "true";
      this.onFollow?.(this.following);
    }
  }
}
