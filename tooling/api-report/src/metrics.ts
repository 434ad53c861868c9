// Size metrics the integrator compares before and after a refactor: exported names per package (and
// how many no other package imports), lines of source per package, and the longest functions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { compareStrings, type PackageApi } from "./api-report.ts";
import { isRelative, splitBareSpecifier } from "./import-scan.ts";
import { isTestFile, listCodeFiles, workspaceRoot, type WorkspacePackage } from "./workspace.ts";

/** Names a file imports from one specifier; `*` for a namespace import or `export *` (everything). */
export function scanImportedNames(text: string, fileName: string): Array<{ specifier: string; names: string[] | "*" }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Array<{ specifier: string; names: string[] | "*" }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const names: string[] = [];
      let everything = false;
      if (clause?.name !== undefined) names.push("default");
      const bindings = clause?.namedBindings;
      if (bindings !== undefined && ts.isNamespaceImport(bindings)) everything = true;
      if (bindings !== undefined && ts.isNamedImports(bindings))
        for (const element of bindings.elements) names.push((element.propertyName ?? element.name).text);
      found.push({ specifier: node.moduleSpecifier.text, names: everything ? "*" : names });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.exportClause;
      const names =
        clause !== undefined && ts.isNamedExports(clause)
          ? clause.elements.map((element) => (element.propertyName ?? element.name).text)
          : "*";
      found.push({ specifier: node.moduleSpecifier.text, names });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first !== undefined && ts.isStringLiteralLike(first)) found.push({ specifier: first.text, names: "*" });
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument) && ts.isStringLiteral(argument.literal)) {
        const qualifier = node.qualifier;
        const first = qualifier === undefined ? undefined : ts.isIdentifier(qualifier) ? qualifier.text : firstIdentifier(qualifier);
        found.push({ specifier: argument.literal.text, names: first === undefined ? "*" : [first] });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function firstIdentifier(name: ts.QualifiedName): string {
  let left: ts.EntityName = name;
  while (ts.isQualifiedName(left)) left = left.left;
  return left.text;
}

export interface ExportCount {
  name: string;
  /** Distinct exported names over all entries (a name exported by two entries counts twice). */
  total: number;
  /** Of those, how many no file of another package under packages/ or apps/ imports. */
  unused: number;
  unusedNames: string[];
}

export function countExports(
  packages: readonly WorkspacePackage[],
  apis: readonly PackageApi[],
  root: string = workspaceRoot,
): ExportCount[] {
  // importPath -> names imported from it by other packages (or "*")
  const used = new Map<string, Set<string>>();
  for (const pkg of packages) {
    if (pkg.kind === "tooling") continue;
    for (const file of listCodeFiles(pkg, root)) {
      for (const { specifier, names } of scanImportedNames(readFileSync(join(root, file), "utf8"), file)) {
        if (isRelative(specifier) || !specifier.startsWith("@dcnpi/")) continue;
        if (splitBareSpecifier(specifier).name === pkg.name) continue;
        const set = used.get(specifier) ?? new Set<string>();
        for (const name of names === "*" ? ["*"] : names) set.add(name);
        used.set(specifier, set);
      }
    }
  }
  return apis.map((api) => {
    const unusedNames: string[] = [];
    let total = 0;
    for (const entry of api.entries) {
      const names = [...new Set(entry.items.map((item) => item.name))];
      total += names.length;
      const usedHere = used.get(entry.importPath) ?? new Set<string>();
      if (usedHere.has("*")) continue;
      for (const name of names)
        if (!usedHere.has(name))
          unusedNames.push(entry.importPath === api.name ? name : `${entry.importPath.slice(api.name.length + 1)}:${name}`);
    }
    return { name: api.name, total, unused: unusedNames.length, unusedNames: unusedNames.sort(compareStrings) };
  });
}

export interface PackageLines {
  name: string;
  files: number;
  lines: number;
}

/** Non-test `.ts` files under each package's `src/` and their line count (every line, as `wc -l`). */
export function countLines(packages: readonly WorkspacePackage[], root: string = workspaceRoot): PackageLines[] {
  return packages.map((pkg) => {
    const files = listCodeFiles(pkg, root).filter(
      (file) => file.startsWith(`${pkg.dir}/src/`) && file.endsWith(".ts") && !isTestFile(file),
    );
    const lines = files.reduce((sum, file) => sum + lineCount(readFileSync(join(root, file), "utf8")), 0);
    return { name: pkg.name, files: files.length, lines };
  });
}

function lineCount(text: string): number {
  if (text.length === 0) return 0;
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

export interface FunctionLength {
  name: string;
  file: string;
  /** First line (1-based) and length in lines, from the declaration's first token to its closing brace. */
  line: number;
  lines: number;
}

/**
 * Every function in non-test `.ts` files of packages/, apps/ and tooling/ (src, bench, configs):
 * function declarations, methods, constructors and accessors, and arrow functions or function
 * expressions assigned to a variable or a property. Longest first.
 */
export function findLongestFunctions(packages: readonly WorkspacePackage[], limit: number, root: string = workspaceRoot): FunctionLength[] {
  const found: FunctionLength[] = [];
  for (const pkg of packages) {
    for (const file of listCodeFiles(pkg, root)) {
      if (!file.endsWith(".ts") || isTestFile(file)) continue;
      const source = ts.createSourceFile(file, readFileSync(join(root, file), "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      const record = (name: string, node: ts.Node): void => {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ name, file, line: start + 1, lines: end - start + 1 });
      };
      const visit = (node: ts.Node, owner: string | undefined): void => {
        let nextOwner = owner;
        if (ts.isFunctionDeclaration(node) && node.body !== undefined) record(node.name?.text ?? "default", node);
        else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) nextOwner = node.name?.text ?? "(class)";
        else if (
          (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) &&
          node.body !== undefined
        ) {
          record(`${owner ?? "(object)"}.${node.name.getText(source)}`, node);
        } else if (ts.isConstructorDeclaration(node) && node.body !== undefined) record(`${owner ?? "(class)"}.constructor`, node);
        else if (ts.isVariableDeclaration(node) && node.initializer !== undefined && isFunctionExpression(node.initializer)) {
          record(node.name.getText(source), node);
        } else if (ts.isPropertyDeclaration(node) && node.initializer !== undefined && isFunctionExpression(node.initializer)) {
          record(`${owner ?? "(class)"}.${node.name.getText(source)}`, node);
        }
        ts.forEachChild(node, (child) => visit(child, nextOwner));
      };
      visit(source, undefined);
    }
  }
  return found.sort((a, b) => b.lines - a.lines || compareStrings(a.file, b.file) || a.line - b.line).slice(0, limit);
}

function isFunctionExpression(node: ts.Expression): boolean {
  let inner: ts.Expression = node;
  while (ts.isParenthesizedExpression(inner) || ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner)) inner = inner.expression;
  return ts.isArrowFunction(inner) || ts.isFunctionExpression(inner);
}
