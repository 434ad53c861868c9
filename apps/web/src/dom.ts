/** A tiny element builder: the app is a handful of views, not worth a framework. */
type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | EventListener | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") node.addEventListener(name.replace(/^on/, ""), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Parses trusted SVG markup made by plots.ts (never file content) into a node. */
export function svgNode(markup: string): Element {
  const template = document.createElement("template");
  template.innerHTML = markup;
  return template.content.firstElementChild!;
}

/** The message to show for anything thrown: typed errors carry a code that names what went wrong. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === "string" ? ` (${code})` : ""}: ${error.message}`;
  }
  return String(error);
}

export function errorBox(error: unknown): HTMLElement {
  return el("div", { class: "error", role: "alert" }, describeError(error));
}

/**
 * A file picker plus a drop zone on `zone`; `onFiles` gets every file picked or dropped. Drop
 * errors are the caller's: it shows them in the page.
 */
export function fileInput(
  zone: HTMLElement,
  options: { accept?: string; multiple?: boolean; onFiles: (files: File[]) => void },
): HTMLInputElement {
  const input = el("input", { type: "file", accept: options.accept, multiple: options.multiple === true });
  input.addEventListener("change", () => {
    if (input.files !== null && input.files.length > 0) options.onFiles([...input.files]);
    input.value = "";
  });
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    const files = event.dataTransfer?.files;
    if (files !== undefined && files.length > 0) options.onFiles([...files]);
  });
  return input;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString("en-US");
}
