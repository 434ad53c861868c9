// Every module specifier a file names, with whether it exists at run time. Parsed (not type-checked)
// with the TypeScript compiler, so it is fast and sees exactly what the source says.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { listCodeFiles, workspaceRoot, type WorkspacePackage } from "./workspace.ts";

/**
 * `type` when the import is erased from the emitted JavaScript: `import type`, `export type`, and
 * `import("x")` in a type position. `import { type A } from "x"` is `runtime`: under
 * verbatimModuleSyntax it is emitted as `import {} from "x"`, which still loads the module.
 */
export type ImportKind = "runtime" | "type";

export interface ImportRecord {
  /** Name of the importing workspace package. */
  package: string;
  /** Workspace-relative path of the importing file. */
  file: string;
  specifier: string;
  kind: ImportKind;
}

export function scanSource(text: string, fileName: string): Array<{ specifier: string; kind: ImportKind }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, scriptKindOf(fileName));
  const found: Array<{ specifier: string; kind: ImportKind }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, kind: node.importClause?.isTypeOnly === true ? "type" : "runtime" });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, kind: node.isTypeOnly ? "type" : "runtime" });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) found.push({ specifier: expression.text, kind: node.isTypeOnly ? "type" : "runtime" });
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal))
        found.push({ specifier: argument.literal.text, kind: "type" });
    } else if (ts.isCallExpression(node)) {
      const [first] = node.arguments;
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      if ((isDynamicImport || isRequire) && first !== undefined && ts.isStringLiteralLike(first))
        found.push({ specifier: first.text, kind: "runtime" });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function scriptKindOf(fileName: string): ts.ScriptKind {
  if (/\.[cm]?js$/.test(fileName)) return ts.ScriptKind.JS;
  if (fileName.endsWith(".tsx")) return ts.ScriptKind.TSX;
  return ts.ScriptKind.TS;
}

/** Every import of every code file of the given packages, in file order. */
export function scanWorkspaceImports(packages: readonly WorkspacePackage[], root: string = workspaceRoot): ImportRecord[] {
  const records: ImportRecord[] = [];
  for (const pkg of packages) {
    for (const file of listCodeFiles(pkg, root)) {
      const text = readFileSync(join(root, file), "utf8");
      for (const { specifier, kind } of scanSource(text, file)) records.push({ package: pkg.name, file, specifier, kind });
    }
  }
  return records;
}

/** `@dcnpi/tensor/tfjs` -> `{ name: "@dcnpi/tensor", subpath: "./tfjs" }`; `zod` -> `{ name: "zod", subpath: "." }`. */
export function splitBareSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split("/");
  const nameLength = specifier.startsWith("@") ? 2 : 1;
  const name = parts.slice(0, nameLength).join("/");
  const rest = parts.slice(nameLength).join("/");
  return { name, subpath: rest === "" ? "." : `./${rest}` };
}

export function isRelative(specifier: string): boolean {
  return specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..";
}

export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith("node:");
}
