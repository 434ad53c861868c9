/**
 * The "NPI step by step" tab: the compressed NPI runs in the page, then its execution is drawn one
 * step at a time (the call stack with each program and its arguments, the step's decision and p(end),
 * the scratch pad with its pointers): the content of `npi run`'s terminal view, drawn.
 */
import { DEFAULT_ARGUMENTS, sameArguments, type ExecutionLogEntry } from "@dcnpi/npi-core";
import { BLANK } from "@dcnpi/npi-envs";
import { describeError, el, errorBox, fileInput, formatBytes } from "./dom.js";
import { loadNpi, type LoadedNpi } from "./npi-model.js";
import { executeNpi, type NpiExecution } from "./npi-run.js";
import { fetchBytes } from "./bytes-view.js";

const ADDITION_ROWS = ["INP1", "INP2", "CARRY", "OUT"];

interface AdditionSnapshot {
  readonly rows: readonly (readonly number[])[];
  readonly pointers: readonly number[];
}
interface SortingSnapshot {
  readonly values: readonly number[];
  readonly pointers: readonly number[];
}

/** "ADD1", "ACT(WRITE OUT 0)" or "LSHIFT": as `npi run` writes a call. */
export function describeCall(entry: ExecutionLogEntry): string {
  if (entry.call === null) return entry.end ? "return" : "(nothing)";
  if (entry.action !== undefined) return `ACT(${entry.action})`;
  return sameArguments(entry.call.args, DEFAULT_ARGUMENTS) ? entry.call.program : `${entry.call.program}(${entry.call.args.join(",")})`;
}

function additionPad(snapshot: AdditionSnapshot): HTMLElement {
  const table = el("table", { class: "pad-grid", "data-testid": "pad" });
  snapshot.rows.forEach((row, r) => {
    const tr = el("tr", {}, el("td", { class: "row-name" }, ADDITION_ROWS[r] ?? `row ${r}`));
    row.forEach((cell, c) =>
      tr.append(el("td", { class: c === snapshot.pointers[r] ? "pointer" : undefined }, cell === BLANK ? "" : String(cell))),
    );
    table.append(tr);
  });
  return table;
}

function sortingPad(snapshot: SortingSnapshot): HTMLElement {
  const n = snapshot.values.length;
  const table = el("table", { class: "pad-grid", "data-testid": "pad" });
  table.append(
    el("tr", {}, el("td", { class: "row-name" }, "array"), ...snapshot.values.map((v) => el("td", {}, String(v))), el("td", {}, "·")),
  );
  ["P1", "P2", "P3"].forEach((name, p) => {
    const tr = el("tr", {}, el("td", { class: "row-name" }, name));
    for (let i = 0; i <= n; i++)
      tr.append(el("td", { class: i === snapshot.pointers[p] ? "pointer" : undefined }, i === snapshot.pointers[p] ? "^" : ""));
    table.append(tr);
  });
  return table;
}

function drawPad(taskName: LoadedNpi["taskName"], snapshot: unknown): HTMLElement {
  if (snapshot === undefined) return el("p", { class: "muted" }, "(no pad)");
  return taskName === "addition" ? additionPad(snapshot as AdditionSnapshot) : sortingPad(snapshot as SortingSnapshot);
}

function drawFrame(npi: LoadedNpi, execution: NpiExecution, index: number): HTMLElement {
  const frame = el("div", { class: "npi-frame", "data-testid": "npi-frame" });
  if (index < 0) {
    frame.append(
      el("div", {}, `${execution.problem}: before the first step`),
      el("h2", {}, "scratch pad"),
      drawPad(npi.taskName, execution.initial),
    );
    return frame;
  }
  const entry = execution.log[index]!;
  const stack = el("div", { class: "stack", "data-testid": "call-stack" });
  entry.stack.forEach((name, depth) => {
    const indent = "\u00a0\u00a0".repeat(depth) + (depth > 0 ? "└ " : "");
    if (depth < entry.stack.length - 1) stack.append(el("div", {}, indent + name));
    else
      stack.append(
        el(
          "div",
          { class: "current" },
          `${indent}${name}${sameArguments(entry.args, DEFAULT_ARGUMENTS) ? "" : `(${entry.args.join(",")})`}` +
            `  → ${describeCall(entry)}${entry.end ? "  (end)" : ""}`,
          el("span", { class: "muted" }, `   p(end)=${entry.endProbability.toFixed(2)}`),
        ),
      );
  });
  frame.append(
    el("div", {}, `step ${entry.step + 1} of ${execution.log.length} (budget ${execution.maxSteps})`),
    el("h2", {}, "call stack"),
    stack,
    el("h2", {}, "scratch pad"),
    drawPad(npi.taskName, entry.snapshot),
  );
  return frame;
}

export interface NpiViewHandle {
  /** Loads the model from bytes (a file or the demo) and shows what it is. */
  load(bytes: Uint8Array, source: string): Promise<void>;
  /** Runs `input` and shows the first frame; resolves with the execution. */
  run(input: string): NpiExecution | undefined;
}

export function mountNpiView(root: HTMLElement, demo: { url: string; name: string; input: string }): NpiViewHandle {
  let npi: LoadedNpi | undefined;
  let execution: NpiExecution | undefined;
  let index = -1;
  let timer: ReturnType<typeof setInterval> | undefined;
  const status = el("div", { "data-testid": "npi-model" }, el("span", { class: "muted" }, "no model loaded"));
  const message = el("div");
  const frameBox = el("div");
  const result = el("div", { "data-testid": "npi-result" });
  const input = el("input", { type: "text", value: demo.input, size: 24, "aria-label": "program input", "data-testid": "npi-input" });
  const slider = el("input", { type: "range", min: -1, max: -1, value: -1, style: "width: 22rem", "aria-label": "step" });

  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  };
  const show = (i: number) => {
    if (npi === undefined || execution === undefined) return;
    index = Math.max(-1, Math.min(execution.log.length - 1, i));
    slider.value = String(index);
    frameBox.replaceChildren(drawFrame(npi, execution, index));
  };
  slider.addEventListener("input", () => {
    stop();
    show(Number(slider.value));
  });
  const play = () => {
    stop();
    if (execution === undefined) return;
    if (index >= execution.log.length - 1) show(-1);
    const delay = Math.max(30, Math.min(250, Math.floor(8000 / Math.max(1, execution.log.length))));
    timer = setInterval(() => {
      if (execution === undefined || index >= execution.log.length - 1) stop();
      else show(index + 1);
    }, delay);
  };

  const handle: NpiViewHandle = {
    async load(bytes, source) {
      stop();
      npi?.model.dispose();
      npi = undefined;
      execution = undefined;
      frameBox.replaceChildren();
      result.replaceChildren();
      message.replaceChildren();
      status.replaceChildren(el("span", { class: "muted" }, `loading ${source}…`));
      try {
        npi = await loadNpi(bytes, source);
        status.replaceChildren(
          `${npi.taskName} NPI from ${source}: ${formatBytes(npi.fileBytes)} file, ${formatBytes(npi.float32Bytes)} as float32 ` +
            `(${(npi.float32Bytes / npi.fileBytes).toFixed(1)}x), trained ${npi.trainingStep} steps`,
        );
        input.value = npi.taskName === "addition" ? demo.input : "9,2,5,1";
      } catch (error) {
        console.warn(`npi view: ${describeError(error)}`);
        status.replaceChildren(errorBox(error));
      }
    },
    run(text) {
      stop();
      message.replaceChildren();
      if (npi === undefined) {
        message.replaceChildren(errorBox("load a model first"));
        return undefined;
      }
      try {
        execution = executeNpi(npi, text);
      } catch (error) {
        message.replaceChildren(errorBox(error));
        return undefined;
      }
      slider.max = String(execution.log.length - 1);
      const e = execution;
      result.replaceChildren(
        el(
          "span",
          { class: e.correct ? "ok" : "bad" },
          `${e.status === "returned" ? "returned" : `stopped: ${e.status}${e.message === undefined ? "" : ` (${e.message})`}`} ` +
            `after ${e.steps} steps (teacher: ${e.teacherSteps}); ` +
            `result ${e.result} — ${e.correct ? "correct" : `WRONG (expected ${e.expected})`}`,
        ),
      );
      show(-1);
      return execution;
    },
  };

  const zone = el("div", { class: "drop" });
  const picker = fileInput(zone, {
    accept: ".dcnpi",
    onFiles: (files) => {
      const file = files[0]!;
      void file.arrayBuffer().then((buffer) => handle.load(new Uint8Array(buffer), file.name));
    },
  });
  const demoButton = el(
    "button",
    {
      class: "plain",
      onclick: () =>
        void fetchBytes(demo.url).then(
          (b) => handle.load(b, demo.name),
          (e: unknown) => status.replaceChildren(errorBox(e)),
        ),
    },
    `load ${demo.name}`,
  );
  zone.append(
    el(
      "p",
      {},
      "Open or drop a ",
      el("b", {}, ".dcnpi"),
      " written by ",
      el("code", {}, "npi compress"),
      " (addition or sorting), or load the demo.",
    ),
    el("div", { class: "row" }, picker, demoButton),
  );
  const runButton = el("button", { class: "action", "data-testid": "npi-run", onclick: () => handle.run(input.value) && play() }, "run");
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && handle.run(input.value) !== undefined) play();
  });
  const controls = el(
    "div",
    { class: "row", style: "align-items: center; margin: 0.8rem 0" },
    input,
    runButton,
    el("button", { class: "plain", onclick: () => (stop(), show(index - 1)) }, "◀ step"),
    el("button", { class: "plain", onclick: () => (stop(), show(index + 1)) }, "step ▶"),
    el("button", { class: "plain", onclick: play }, "play"),
    el("button", { class: "plain", onclick: stop }, "pause"),
    slider,
  );
  root.append(zone, el("div", { style: "margin-top: 0.6rem" }, status), controls, message, result, frameBox);
  return handle;
}
