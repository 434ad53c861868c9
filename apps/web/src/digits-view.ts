/**
 * The "draw a digit" tab: a black pad you draw on in white; the drawing is turned into MNIST's 28 × 28
 * input (mnist-preprocess.ts) and classified by the compressed LeNet-300-100 and the dense one, side by side.
 */
import { describeError, el, errorBox, formatBytes } from "./dom.js";
import { argmaxRows, classify, type LoadedClassifier } from "./lenet-models.js";
import { greyOf, MNIST_SIDE, toMnistInput } from "./mnist-preprocess.js";

const PAD_SIDE = 280;

function probabilityRows(probabilities: Float32Array): HTMLElement {
  const best = argmaxRows(probabilities)[0]!;
  return el(
    "div",
    { class: "probs" },
    ...Array.from(probabilities, (p, digit) =>
      el(
        "div",
        { class: digit === best ? "ok" : undefined },
        `${digit} `,
        el("span", { class: "bar", style: `width: ${Math.round(p * 160)}px` }),
        ` ${(p * 100).toFixed(1)}%`,
      ),
    ),
  );
}

/** `models` is called when the tab is first shown (`shown` resolves then). */
export function mountDigitsView(
  root: HTMLElement,
  models: (onProgress: (fraction: number) => void) => Promise<{ compressed: LoadedClassifier; dense: LoadedClassifier }>,
  shown: Promise<void>,
): void {
  const pad = el("canvas", { class: "pad", width: PAD_SIDE, height: PAD_SIDE, "data-testid": "digit-pad" });
  const preview = el("canvas", {
    width: MNIST_SIDE,
    height: MNIST_SIDE,
    style: "width: 112px; height: 112px; image-rendering: pixelated; background: #000; border-radius: 4px",
  });
  const context = pad.getContext("2d", { willReadFrequently: true })!;
  const clear = () => {
    context.fillStyle = "#000";
    context.fillRect(0, 0, PAD_SIDE, PAD_SIDE);
  };
  clear();
  const compressedBox = el(
    "div",
    { class: "card", "data-testid": "compressed-prediction" },
    el("h3", {}, "compressed (.dcnpi)"),
    el("p", { class: "muted" }, "loading…"),
  );
  const denseBox = el(
    "div",
    { class: "card", "data-testid": "dense-prediction" },
    el("h3", {}, "dense (float32)"),
    el("p", { class: "muted" }, "loading…"),
  );
  const status = el("div");
  let loaded: { compressed: LoadedClassifier; dense: LoadedClassifier } | undefined;
  // The IOHandler's onProgress: the download, then decoding, as a fraction.
  const progress = (fraction: number) =>
    compressedBox.replaceChildren(
      el("h3", {}, "compressed (.dcnpi)"),
      el("p", { class: "muted" }, `loading… ${Math.round(fraction * 100)}%`),
    );
  void shown
    .then(() => models(progress))
    .then(
      (m) => {
        loaded = m;
        const describe = (c: LoadedClassifier) => `${formatBytes(c.bytes)} over the wire, loaded in ${c.loadMs.toFixed(0)} ms`;
        compressedBox.replaceChildren(el("h3", {}, "compressed (.dcnpi)"), el("p", { class: "muted" }, describe(m.compressed)));
        denseBox.replaceChildren(el("h3", {}, "dense (float32)"), el("p", { class: "muted" }, describe(m.dense)));
      },
      (error: unknown) => {
        console.warn(`digits view: ${describeError(error)}`);
        status.replaceChildren(errorBox(error));
      },
    );

  const predict = () => {
    if (loaded === undefined) return;
    const image = context.getImageData(0, 0, PAD_SIDE, PAD_SIDE);
    const input = toMnistInput(greyOf(image.data, PAD_SIDE, PAD_SIDE), PAD_SIDE, PAD_SIDE);
    const previewImage = preview.getContext("2d")!.createImageData(MNIST_SIDE, MNIST_SIDE);
    input.forEach((v, i) => {
      previewImage.data.set([v * 255, v * 255, v * 255, 255], i * 4);
    });
    preview.getContext("2d")!.putImageData(previewImage, 0, 0);
    for (const [box, model, title] of [
      [compressedBox, loaded.compressed, "compressed (.dcnpi)"],
      [denseBox, loaded.dense, "dense (float32)"],
    ] as const) {
      const start = performance.now();
      const probabilities = classify(model.model, input, 1);
      const ms = performance.now() - start;
      box.replaceChildren(
        el("h3", {}, `${title}: `, el("span", { "data-testid": "predicted-digit" }, String(argmaxRows(probabilities)[0]))),
        probabilityRows(probabilities),
        el("p", { class: "muted" }, `${formatBytes(model.bytes)} over the wire; predicted in ${ms.toFixed(1)} ms`),
      );
    }
  };

  let drawing = false;
  const point = (event: PointerEvent) => {
    const rect = pad.getBoundingClientRect();
    return [((event.clientX - rect.left) * PAD_SIDE) / rect.width, ((event.clientY - rect.top) * PAD_SIDE) / rect.height] as const;
  };
  pad.addEventListener("pointerdown", (event) => {
    drawing = true;
    pad.setPointerCapture(event.pointerId);
    const [x, y] = point(event);
    context.strokeStyle = "#fff";
    context.lineWidth = 20;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.beginPath();
    context.moveTo(x, y);
    context.lineTo(x + 0.1, y);
    context.stroke();
  });
  pad.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = point(event);
    context.lineTo(x, y);
    context.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    predict();
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  root.append(
    el(
      "p",
      {},
      "Draw a digit (white on black). It is cropped, scaled into 20 × 20 and centred by its centre of mass in 28 × 28, " +
        "as MNIST's digits are, then classified by both models.",
    ),
    el(
      "div",
      { class: "row" },
      el(
        "div",
        {},
        pad,
        el(
          "div",
          {},
          el(
            "button",
            { class: "plain", onclick: () => (clear(), preview.getContext("2d")!.clearRect(0, 0, MNIST_SIDE, MNIST_SIDE)) },
            "clear",
          ),
        ),
      ),
      el("div", {}, el("div", { class: "muted" }, "what the models see"), preview),
      compressedBox,
      denseBox,
    ),
    status,
  );
}
