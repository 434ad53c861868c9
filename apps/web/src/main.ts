/** The app's entry: tabs, the backend, the four views; `window.dcnpiApp` is what the browser tests drive. */
import { initBackend } from "./backend.js";
import { mountBytesView } from "./bytes-view.js";
import { mountDigitsView } from "./digits-view.js";
import { argmaxRows, classify, loadCompressedClassifier, loadDenseClassifier, type LoadedClassifier } from "./lenet-models.js";
import { mountNpiView, type NpiViewHandle } from "./npi-view.js";
import { mountReportView } from "./report-view.js";
import { DEMO_MODELS } from "./demo-models.js";

export interface DcnpiApp {
  readonly backend: Promise<string>;
  lenets(onProgress?: (fraction: number) => void): Promise<{ compressed: LoadedClassifier; dense: LoadedClassifier }>;
  readonly lenetProgress: readonly number[];
  /** Classes the compressed (or dense) LeNet gives `count` images of 784 pixels. */
  classify(which: "compressed" | "dense", pixels: number[], count: number): Promise<number[]>;
  readonly npi: NpiViewHandle;
  openBytes(bytes: Uint8Array, name: string): Promise<void>;
}

declare global {
  interface Window {
    dcnpiApp: DcnpiApp;
  }
}

function byId(id: string): HTMLElement {
  return document.getElementById(id)!;
}

const tabs = [...document.querySelectorAll<HTMLButtonElement>("#tabs button")];
const shownWaiters = new Map<string, () => void>();
/** Resolves when the tab is first shown. */
const tabShown = (name: string) =>
  new Promise<void>((resolve) =>
    document.getElementById(`tab-${name}`)!.classList.contains("active") ? resolve() : shownWaiters.set(name, resolve),
  );
const selectTab = (name: string) => {
  shownWaiters.get(name)?.();
  shownWaiters.delete(name);
  for (const button of tabs) button.classList.toggle("active", button.dataset["tab"] === name);
  for (const section of document.querySelectorAll<HTMLElement>(".tab")) section.classList.toggle("active", section.id === `tab-${name}`);
  history.replaceState(null, "", `#${name}`);
};
for (const button of tabs) button.addEventListener("click", () => selectTab(button.dataset["tab"]!));
const initialTab = location.hash.slice(1);
if (tabs.some((b) => b.dataset["tab"] === initialTab)) selectTab(initialTab);

const backend = initBackend();
void backend.then((name) => (byId("backend").textContent = `TensorFlow.js backend: ${name}`));

// Loaded when first needed (the digits tab, or a test asking), so the other tabs start without them.
let lenetsPromise: Promise<{ compressed: LoadedClassifier; dense: LoadedClassifier }> | undefined;
// The fractions the IOHandler reported while loading the compressed LeNet (the tests read them).
const lenetProgress: number[] = [];
const lenets = (onProgress?: (fraction: number) => void) =>
  (lenetsPromise ??= backend.then(async () => {
    const [compressed, dense] = await Promise.all([
      loadCompressedClassifier(DEMO_MODELS.lenetCompressed, (fraction) => {
        lenetProgress.push(fraction);
        onProgress?.(fraction);
      }),
      loadDenseClassifier(DEMO_MODELS.lenetDense),
    ]);
    return { compressed, dense };
  }));

const { openBytes } = mountBytesView(byId("tab-bytes"), DEMO_MODELS.lenetCompressed);
mountDigitsView(byId("tab-digits"), lenets, tabShown("digits"));
const npi = mountNpiView(byId("tab-npi"), { url: DEMO_MODELS.npiAddition, name: "addition.dcnpi (demo)", input: "1007+3" });
mountReportView(byId("tab-report"));

window.dcnpiApp = {
  backend,
  lenets,
  lenetProgress,
  async classify(which, pixels, count) {
    const models = await lenets();
    return argmaxRows(classify(models[which].model, Float32Array.from(pixels), count));
  },
  npi,
  openBytes,
};
