import { ALEXNET_LAYERS, VGG16_LAYERS } from "@dcnpi/model-zoo";
import { describe, expect, it } from "vitest";
import {
  keptWeightedMean,
  PAPER_BITS,
  PAPER_LAYER_TABLES,
  PAPER_MODELS,
  PAPER_TABLE_1,
  paperKeepFraction,
  paperRateFormula,
  rowsImpliedRate,
} from "./paper-figures.js";

describe("paper figures (DC Tables 1–5) against the notes' derived checks (§1.8, §6)", () => {
  it(
    "Table 1 sizes follow from the Total rates: " +
      "1070 KB × 2.49% ≈ 27 KB, 1720 × 2.55% ≈ 44 KB, 240 MB × 2.88% ≈ 6.9 MB, 552 × 2.05% ≈ 11.3 MB",
    () => {
      for (const model of PAPER_MODELS) {
        const t1 = PAPER_TABLE_1[model];
        const rate = PAPER_LAYER_TABLES[model].total.ratePQHPercent / 100;
        const derived = t1.referenceBytes * rate;
        // Within the printed rounding: 2 significant figures.
        expect(Math.abs(derived - t1.compressedBytes) / t1.compressedBytes).toBeLessThan(0.02);
        expect(Math.round(1 / rate)).toBe(t1.ratio);
      }
      expect(PAPER_TABLE_1["lenet-300-100"].referenceBytes * 0.0249).toBeCloseTo(26_643, 0);
    },
  );

  it("reference sizes are 4 bytes per weight in decimal units (KB = 1000 B)", () => {
    for (const model of PAPER_MODELS) {
      const bytes = 4 * PAPER_LAYER_TABLES[model].total.weights;
      expect(Math.abs(bytes - PAPER_TABLE_1[model].referenceBytes) / bytes).toBeLessThan(0.02);
    }
    // 266,200 weights + 410 biases = 1,066,440 B ≈ "1070 KB"; 431,080 parameters = 1,724,320 B ≈ "1720 KB".
    expect(Math.round((4 * (266_200 + 410)) / 10_000)).toBe(107);
    expect(Math.round((4 * (430_500 + 580)) / 10_000)).toBe(172);
  });

  it("weight counts are exact: per-layer rows sum to the Total and match the model zoo's shapes", () => {
    for (const model of PAPER_MODELS) {
      const table = PAPER_LAYER_TABLES[model];
      expect(table.layers.reduce((s, r) => s + r.weights, 0)).toBe(table.total.weights);
    }
    expect(PAPER_LAYER_TABLES.alexnet.layers.map((r) => [r.layer, r.weights])).toEqual(ALEXNET_LAYERS.map((l) => [l.name, l.weights]));
    expect(PAPER_LAYER_TABLES.vgg16.layers.map((r) => [r.layer, r.weights])).toEqual(VGG16_LAYERS.map((l) => [l.name, l.weights]));
    expect(PAPER_LAYER_TABLES["lenet-300-100"].layers.map((r) => r.weights)).toEqual([784 * 300, 300 * 100, 100 * 10]);
    expect(PAPER_LAYER_TABLES["lenet-5"].layers.map((r) => r.weights)).toEqual([20 * 25, 50 * 20 * 25, 800 * 500, 500 * 10]);
  });

  it("the rate formula with the table's rounded density and no fillers lands slightly below the printed P+Q rate (codebook at 32 bits per centroid)", () => {
    const expected: [string, string, number][] = [
      ["lenet-300-100", "ip1", 2.78],
      ["lenet-300-100", "ip2", 3.31],
      ["lenet-300-100", "ip3", 15.34],
      ["lenet-5", "conv1", 78.01],
      ["lenet-5", "conv2", 5.9],
      ["lenet-5", "ip1", 2.51],
      ["lenet-5", "ip2", 6.58],
      ["alexnet", "conv1", 32.23],
      ["alexnet", "fc6", 2.53],
      ["alexnet", "fc8", 7.03],
    ];
    for (const [model, layer, notes] of expected) {
      const row = PAPER_LAYER_TABLES[model as keyof typeof PAPER_LAYER_TABLES].layers.find((r) => r.layer === layer)!;
      const rate =
        100 *
        paperRateFormula({
          weights: row.weights,
          entries: row.weights * (row.keptPercent / 100),
          weightBits: row.weightBitsPQ,
          indexBits: row.indexBitsPQ,
        });
      expect(rate).toBeCloseTo(notes, 1);
      expect(rate).toBeLessThanOrEqual(row.ratePQPercent);
      expect(row.ratePQPercent - rate).toBeLessThan(0.6);
    }
  });

  it(
    "Total bit columns are kept-weight-weighted means for AlexNet and VGG-16; the two LeNet cells " +
      "the notes flag do not reproduce and are marked as errata",
    () => {
      expect(keptWeightedMean(PAPER_LAYER_TABLES.alexnet, "weightBitsPQ")).toBeCloseTo(5.38, 2);
      expect(keptWeightedMean(PAPER_LAYER_TABLES.alexnet, "weightBitsPQH")).toBeCloseTo(4.03, 1);
      for (const model of ["alexnet", "vgg16"] as const) {
        const table = PAPER_LAYER_TABLES[model];
        for (const column of ["weightBitsPQ", "weightBitsPQH", "indexBitsPQH"] as const) {
          expect(Math.abs(keptWeightedMean(table, column) - table.total[column])).toBeLessThan(0.06);
        }
        expect(table.errata.filter((e) => e.cell.includes("bits"))).toEqual([]);
      }
      const lenet300 = PAPER_LAYER_TABLES["lenet-300-100"];
      expect(keptWeightedMean(lenet300, "weightBitsPQH")).toBeCloseTo(4.4, 1);
      expect(lenet300.total.weightBitsPQH).toBe(5.1);
      expect(lenet300.errata.map((e) => [e.cell, e.printed])).toEqual([["Total weight bits P+Q+H", 5.1]]);
      const lenet5 = PAPER_LAYER_TABLES["lenet-5"];
      expect(keptWeightedMean(lenet5, "weightBitsPQH")).toBeCloseTo(4.8, 1);
      expect(lenet5.errata.map((e) => [e.cell, e.printed])).toEqual([
        ["Total weight bits P+Q+H", 4.1],
        ["Total compress rate P+Q+H", 2.55],
      ]);
    },
  );

  it(
    "Total rates against what the rows add up to: LeNet-300-100 and AlexNet agree; LeNet-5's 2.55% " +
      "follows from its 4.1-bit erratum; VGG-16's rows give about 8% less",
    () => {
      const rows = (model: keyof typeof PAPER_LAYER_TABLES) => 100 * rowsImpliedRate(PAPER_LAYER_TABLES[model], "ratePQHPercent");
      expect(rows("lenet-300-100")).toBeCloseTo(2.44, 2);
      expect(rows("alexnet")).toBeCloseTo(2.9, 2);
      expect(rows("lenet-5")).toBeCloseTo(2.73, 2);
      expect(rows("vgg16")).toBeCloseTo(1.9, 2);
      expect(100 * rowsImpliedRate(PAPER_LAYER_TABLES["lenet-5"], "ratePQPercent")).toBeCloseTo(3.03, 2);
      // LeNet-5: the Total P+Q (3.05%) implies ~39,000 entries; at 4.1 + 4.4 bits they give 2.55%, at the rows' 4.8 bits 2.74%.
      const lenet5 = PAPER_LAYER_TABLES["lenet-5"];
      const codebooks = (2 * 256 + 2 * 32) * 32;
      const entries =
        ((lenet5.total.ratePQPercent / 100) * lenet5.total.weights * 32 - codebooks) /
        (lenet5.total.weightBitsPQ + lenet5.total.indexBitsPQ);
      const rate = (bits: number) => (100 * (entries * (bits + lenet5.total.indexBitsPQH) + codebooks)) / (lenet5.total.weights * 32);
      expect(rate(4.1)).toBeCloseTo(2.55, 1);
      expect(rate(keptWeightedMean(lenet5, "weightBitsPQH"))).toBeCloseTo(2.74, 1);
      for (const model of ["lenet-300-100", "alexnet"] as const)
        expect(PAPER_LAYER_TABLES[model].errata.some((e) => e.cell.includes("rate"))).toBe(false);
      expect(PAPER_LAYER_TABLES.vgg16.errata.map((e) => e.cell)).toEqual(["Total compress rate P+Q+H"]);
    },
  );

  it("bits and densities follow the tables: 6 bits for LeNet-300-100, 8/5 elsewhere, 4-bit indices only for AlexNet", () => {
    for (const model of PAPER_MODELS) {
      const table = PAPER_LAYER_TABLES[model];
      const bits = PAPER_BITS[model];
      for (const row of table.layers) {
        expect(row.indexBitsPQ).toBe(bits.indexBits);
        expect(row.weightBitsPQ).toBe(row.layer.startsWith("conv") ? bits.convWeightBits : bits.fcWeightBits);
      }
    }
    expect(paperKeepFraction("lenet-300-100", "ip1")).toBe(0.08);
    expect(paperKeepFraction("lenet-5", "conv1")).toBe(0.66);
    expect(() => paperKeepFraction("lenet-5", "ip3")).toThrow(/no layer "ip3"/);
  });
});
