/** The "where the bytes go" tab: open or drop a `.dcnpi` file, or a tfjs model.json with its shards. */
import { describeError, el, errorBox, fileInput, formatBytes, formatInteger, svgNode } from "./dom.js";
import { summariseContainer, type ContainerSummary } from "./container-summary.js";
import { bytesBarsSvg, histogramSvg } from "./plots.js";
import { summariseModelFiles, type ModelFilesSummary } from "./tfjs-model-files.js";
import { WebAppError } from "./errors.js";

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

function containerTable(summary: ContainerSummary): HTMLTableElement {
  const { inspection } = summary;
  const head = [
    "entry",
    "kind",
    "shape",
    "weights",
    "kept",
    "fillers",
    "w bits",
    "i bits",
    "paper bytes",
    "paper rate",
    "file bytes",
    "as float32",
  ];
  const table = el("table", { class: "entries" }, el("thead", {}, el("tr", {}, ...head.map((h) => el("th", {}, h)))));
  const body = el("tbody");
  for (const row of inspection.rows) {
    const p = row.paper;
    body.append(
      el(
        "tr",
        {},
        el("td", {}, row.name),
        el("td", {}, row.kind),
        el("td", {}, `[${row.shape.join(",")}]`),
        el("td", {}, formatInteger(row.elementCount)),
        el("td", {}, p === null ? "" : percent(p.nonzeroCount / p.elementCount)),
        el("td", {}, p === null ? "" : formatInteger(p.fillerCount)),
        el("td", {}, p === null ? "" : p.averageWeightBits.toFixed(2)),
        el("td", {}, p === null || p.averageIndexBits === 0 ? "" : p.averageIndexBits.toFixed(2)),
        el("td", {}, p === null ? "" : (p.paperTotalBits / 8).toFixed(1)),
        el("td", {}, p === null ? "" : percent(p.paperRate)),
        el("td", {}, formatInteger(row.fileBytes)),
        el("td", {}, formatInteger(row.elementCount * 4)),
      ),
    );
  }
  const o = inspection.overhead;
  for (const [name, bytes] of [
    ["(preamble)", o.preambleBytes],
    [o.headerForm === "binary" ? "(binary header)" : "(JSON header)", o.headerBytes],
    ["(trailer)", o.trailerBytes],
  ] as const)
    body.append(
      el(
        "tr",
        { class: "muted" },
        el("td", {}, name),
        el("td", {}, "overhead"),
        ...Array.from({ length: 8 }, () => el("td")),
        el("td", {}, formatInteger(bytes)),
        el("td"),
      ),
    );
  table.append(body);
  return table;
}

function renderContainer(summary: ContainerSummary): HTMLElement {
  const { inspection } = summary;
  const headline = el(
    "div",
    { class: "cards", "data-testid": "container-summary" },
    el(
      "div",
      { class: "card" },
      el("h3", {}, "the paper's way"),
      `${inspection.paper.compressionRatio.toFixed(1)}x `,
      el(
        "span",
        { class: "muted" },
        `(${formatInteger(inspection.paper.totalBits / 8)} B for ${formatInteger(inspection.paper.elementCount)} compressed weights: ` +
          "codes + indices + codebooks)",
      ),
    ),
    el(
      "div",
      { class: "card" },
      el("h3", {}, "true bytes"),
      `${inspection.onDisk.compressionRatio.toFixed(1)}x `,
      el(
        "span",
        { class: "muted" },
        `(${formatBytes(inspection.fileBytes)} file for ${formatBytes(inspection.onDisk.denseBytes)} of float32)`,
      ),
    ),
  );
  const bars = bytesBarsSvg([
    ...inspection.rows.map((r) => ({ label: r.name, bytes: r.fileBytes })),
    {
      label: "(header, preamble, trailer)",
      bytes: inspection.overhead.headerBytes + inspection.overhead.preambleBytes + inspection.overhead.trailerBytes,
    },
  ]);
  const cards = el("div", { class: "cards" });
  for (const layer of summary.layers) {
    const shown = Array.from(layer.codebook.slice(0, 64), (v) => v.toPrecision(3)).join(" ");
    cards.append(
      el(
        "div",
        { class: "card", "data-layer": layer.name },
        el(
          "h3",
          {},
          `${layer.name} `,
          el(
            "span",
            { class: "muted" },
            `${layer.kind}, ${layer.weightBits}-bit codes${layer.indexBits === null ? "" : `, ${layer.indexBits}-bit indices`}`,
          ),
        ),
        svgNode(
          histogramSvg(layer.bars, {
            title: `shared weights (${formatInteger(layer.storedCount)} of ${formatInteger(layer.elementCount)} stored)`,
          }),
        ),
        el(
          "div",
          { class: "muted", style: "max-width: 320px; word-break: break-all" },
          `codebook (${layer.codebook.length}): ${shown}${layer.codebook.length > 64 ? " …" : ""}`,
        ),
      ),
    );
  }
  return el(
    "div",
    {},
    el("h2", {}, summary.source),
    headline,
    el("h2", {}, "per entry"),
    containerTable(summary),
    el("h2", {}, "file bytes by entry"),
    svgNode(bars),
    el("h2", {}, "codebooks and shared weights"),
    cards,
  );
}

function renderModelFiles(source: string, summary: ModelFilesSummary): HTMLElement {
  const table = el(
    "table",
    {},
    el("thead", {}, el("tr", {}, ...["weight", "shape", "stored as", "weights", "bytes", "as float32"].map((h) => el("th", {}, h)))),
    el(
      "tbody",
      {},
      ...summary.weights.map((w) =>
        el(
          "tr",
          {},
          el("td", {}, w.name),
          el("td", {}, `[${w.shape.join(",")}]`),
          el("td", {}, w.storedAs),
          el("td", {}, formatInteger(w.elementCount)),
          el("td", {}, formatInteger(w.bytes)),
          el("td", {}, formatInteger(w.elementCount * 4)),
        ),
      ),
    ),
  );
  return el(
    "div",
    { "data-testid": "model-files-summary" },
    el("h2", {}, source),
    el(
      "p",
      {},
      `${formatBytes(summary.shardBytes)} of weight shards + ${formatBytes(summary.modelJsonBytes)} model.json; ` +
        `as float32 the weights take ${formatBytes(summary.float32Bytes)}. `,
      el("span", { class: "muted" }, "Compress it with `pnpm dcnpi compress <dir>` and open the .dcnpi here to compare."),
    ),
    svgNode(bytesBarsSvg(summary.weights.map((w) => ({ label: w.name, bytes: w.bytes })))),
    table,
  );
}

async function openFiles(files: File[]): Promise<HTMLElement> {
  const modelJson = files.find((f) => f.name.endsWith(".json"));
  if (modelJson !== undefined) {
    const sizes = new Map(files.filter((f) => f !== modelJson).map((f) => [f.name, f.size] as const));
    return renderModelFiles(modelJson.name, summariseModelFiles(await modelJson.text(), sizes, modelJson.name));
  }
  if (files.length !== 1)
    throw new WebAppError(
      "WRONG_FILE",
      `drop one .dcnpi file, or a model.json with its weight shards (got ${files.length} files without a model.json)`,
    );
  const file = files[0]!;
  return renderContainer(await summariseContainer(new Uint8Array(await file.arrayBuffer()), file.name));
}

export function mountBytesView(root: HTMLElement, demoUrl: string): { openBytes: (bytes: Uint8Array, name: string) => Promise<void> } {
  const output = el("div", { id: "bytes-output" });
  const show = async (work: () => Promise<HTMLElement>) => {
    output.replaceChildren(el("p", { class: "muted" }, "reading…"));
    try {
      output.replaceChildren(await work());
    } catch (error) {
      console.warn(`bytes view: ${describeError(error)}`);
      output.replaceChildren(errorBox(error));
    }
  };
  const zone = el("div", { class: "drop" });
  const input = fileInput(zone, { accept: ".dcnpi,.json,.bin", multiple: true, onFiles: (files) => void show(() => openFiles(files)) });
  const demo = el(
    "button",
    {
      class: "plain",
      onclick: () =>
        void show(async () => renderContainer(await summariseContainer(await fetchBytes(demoUrl), "lenet-300-100.dcnpi (demo)"))),
    },
    "open the demo LeNet-300-100",
  );
  zone.append(
    el(
      "p",
      {},
      "Open or drop a ",
      el("b", {}, ".dcnpi"),
      " file, or a TensorFlow.js ",
      el("b", {}, "model.json"),
      " together with its weight shards. Nothing leaves the page.",
    ),
    el("div", { class: "row" }, input, demo),
  );
  root.append(zone, output);
  return { openBytes: (bytes, name) => show(async () => renderContainer(await summariseContainer(bytes, name))) };
}

export async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new WebAppError("MODEL_FILE", `${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
