/**
 * The "open a report" tab: any run's report.html (repro, npi eval/sweep) is one self-contained file;
 * it is shown in an iframe sandboxed with no permissions at all (no scripts, no same-origin access),
 * since it is a file from disk the page did not make.
 */
import { el, errorBox, fileInput } from "./dom.js";
import { WebAppError } from "./errors.js";

export function mountReportView(root: HTMLElement): void {
  const output = el("div");
  const zone = el("div", { class: "drop" });
  const picker = fileInput(zone, {
    accept: ".html,.htm",
    onFiles: (files) => {
      const file = files[0]!;
      if (!/\.html?$/i.test(file.name)) {
        output.replaceChildren(errorBox(new WebAppError("WRONG_FILE", `${file.name}: not an HTML report (pick a run's report.html)`)));
        return;
      }
      void file.text().then((html) => {
        const frame = el("iframe", { class: "report", sandbox: "", title: file.name, "data-testid": "report-frame" });
        frame.srcdoc = html;
        output.replaceChildren(el("h2", {}, file.name), frame);
      });
    },
  });
  zone.append(
    el(
      "p",
      {},
      "Open a run's ",
      el("b", {}, "report.html"),
      " (",
      el("code", {}, "results/<run-id>/report.html"),
      " of ",
      el("code", {}, "pnpm repro"),
      ", or the report of ",
      el("code", {}, "npi eval"),
      "/",
      el("code", {}, "npi sweep"),
      "). It is shown sandboxed: no script in it runs.",
    ),
    picker,
  );
  root.append(zone, output);
}
