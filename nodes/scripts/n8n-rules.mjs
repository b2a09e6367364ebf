// The rules n8n applies to a community node package that its published tooling does not enforce yet
// (checked on n8n's repository, December 2026: @n8n/eslint-plugin-community-nodes 0.32.0 lacks them), so this
// package enforces them itself: scripts/scan.mjs runs them on the sources and the packed tarball, and the
// monorepo's release check imports them. Pure functions from texts to findings (one string each).
//   - no-monorepo: no `repository.directory` in package.json;
//   - require-continue-on-fail: `this.continueOnFail()` in the node class's own `execute`;
//   - the scanner's module allow-list, and no reflective access to a Node class (how a node would use
//     `stream` without importing it, which reviewers and newer scanner rules refuse).
import ts from 'typescript';

/** Modules n8n's scanner lets a community node import (besides relative paths). */
export const ALLOWED_MODULES = [
	'n8n-workflow',
	'lodash',
	'moment',
	'p-limit',
	'luxon',
	'zod',
	'crypto',
];

/** Node classes a node could reach by reflection and then use without importing their module. */
const NODE_CLASS_NAMES = [
	'Readable',
	'Writable',
	'Duplex',
	'Transform',
	'PassThrough',
	'Stream',
	'EventEmitter',
	'IncomingMessage',
	'ServerResponse',
	'ClientRequest',
	'Socket',
	'Server',
	'ChildProcess',
	'Worker',
];

// ---------------------------------------------------------------------------------------------
// package.json

/**
 * No package.json may carry `repository.directory`: n8n's `no-monorepo` refuses it, and a package
 * named from a sub-folder of a monorepo cannot get the provenance n8n verification requires.
 * @param {{ path: string, json: any }[]} packages
 */
export const checkRepositoryDirectory = (packages) =>
	packages
		.filter(
			(p) =>
				p.json?.repository &&
				typeof p.json.repository === 'object' &&
				'directory' in p.json.repository,
		)
		.map(
			(p) =>
				`${p.path}: repository.directory is set ("${p.json.repository.directory}"); n8n's no-monorepo rule refuses it: name the package's own repository instead`,
		);

// ---------------------------------------------------------------------------------------------
// The node's execute

const isThisCall = (node, method) =>
	ts.isCallExpression(node) &&
	ts.isPropertyAccessExpression(node.expression) &&
	node.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
	node.expression.name.text === method;

/** Whether `body` calls `this.<method>()` with the method's own `this` (arrow functions keep it; `function`s do not). */
const callsOnOwnThis = (body, method) => {
	let found = false;
	const visit = (node) => {
		if (found) return;
		if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassLike(node))
			return;
		if (isThisCall(node, method)) {
			found = true;
			return;
		}
		ts.forEachChild(node, visit);
	};
	ts.forEachChild(body, visit);
	return found;
};

/**
 * n8n's `require-continue-on-fail`: the node class's own `execute` must call
 * `this.continueOnFail()`; a call only in a helper it delegates to does not count.
 * @param {string} source the node's TypeScript source
 * @param {string} file for the findings
 */
export const checkContinueOnFail = (source, file) => {
	const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const executes = [];
	const visit = (node) => {
		if (ts.isClassLike(node)) {
			for (const member of node.members) {
				if (
					(ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member)) &&
					member.name &&
					ts.isIdentifier(member.name) &&
					member.name.text === 'execute'
				) {
					const body = ts.isMethodDeclaration(member) ? member.body : member.initializer;
					if (body) executes.push(body);
				}
			}
		}
		ts.forEachChild(node, visit);
	};
	visit(sf);
	if (executes.length === 0) return [`${file}: no node class with an execute method`];
	return executes.some((body) => callsOnOwnThis(body, 'continueOnFail'))
		? []
		: [
				`${file}: the node's execute() never calls this.continueOnFail() itself (n8n's require-continue-on-fail; a call in a helper does not count)`,
			];
};

// ---------------------------------------------------------------------------------------------
// The packed n8n tarball

const lineOf = (sf, node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

const isGetPrototypeOf = (node) =>
	ts.isCallExpression(node) &&
	ts.isPropertyAccessExpression(node.expression) &&
	node.expression.name.text === 'getPrototypeOf' &&
	ts.isIdentifier(node.expression.expression) &&
	['Object', 'Reflect'].includes(node.expression.expression.text);

const stripParens = (node) => {
	let n = node;
	while (ts.isParenthesizedExpression(n) || ts.isNonNullExpression(n) || ts.isAsExpression(n))
		n = n.expression;
	return n;
};

const isProtoAccess = (node) =>
	(ts.isPropertyAccessExpression(node) && node.name.text === '__proto__') ||
	(ts.isElementAccessExpression(node) &&
		ts.isStringLiteral(node.argumentExpression) &&
		node.argumentExpression.text === '__proto__');

const isConstructorAccess = (node) =>
	(ts.isPropertyAccessExpression(node) && node.name.text === 'constructor') ||
	(ts.isElementAccessExpression(node) &&
		ts.isStringLiteral(node.argumentExpression) &&
		node.argumentExpression.text === 'constructor');

/** Whether an expression reads a `.name` (also inside `ctor === null ? void 0 : ctor.name`, as tsc compiles `ctor?.name`). */
const readsName = (node) => {
	if (ts.isPropertyAccessExpression(node) && node.name.text === 'name') return true;
	return ts.forEachChild(node, (child) => (readsName(child) ? true : undefined)) === true;
};

/**
 * The code of the packed tarball (every shipped .js): only allowed modules, and no reaching a Node
 * class by reflection (a prototype from getPrototypeOf/__proto__ whose `constructor` is taken, or a
 * class recognised by its name, such as `x.constructor.name === 'Readable'`). Reflection is how a
 * node would use `stream` without importing it; n8n's reviewers and newer scanner rules refuse it.
 * @param {{ path: string, text: string }[]} files
 */
export const checkTarballCode = (files) => {
	const findings = [];
	for (const { path: file, text } of files) {
		const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
		const protoVars = new Set();
		const isProtoValue = (node) => {
			const n = stripParens(node);
			return (
				isGetPrototypeOf(n) || isProtoAccess(n) || (ts.isIdentifier(n) && protoVars.has(n.text))
			);
		};
		// Pass 1: names that hold a prototype (`const p = Object.getPrototypeOf(x)`, `p = p.__proto__`).
		const collect = (node) => {
			if (
				ts.isVariableDeclaration(node) &&
				ts.isIdentifier(node.name) &&
				node.initializer &&
				isProtoValue(node.initializer)
			)
				protoVars.add(node.name.text);
			if (
				ts.isBinaryExpression(node) &&
				node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
				ts.isIdentifier(node.left) &&
				isProtoValue(node.right)
			)
				protoVars.add(node.left.text);
			ts.forEachChild(node, collect);
		};
		collect(sf);
		const visit = (node) => {
			// Modules: require('x'), import('x'), import/export ... from 'x'.
			let specifier;
			let dynamic = false;
			if (ts.isCallExpression(node)) {
				const callee = node.expression;
				if (
					(ts.isIdentifier(callee) && callee.text === 'require') ||
					callee.kind === ts.SyntaxKind.ImportKeyword
				) {
					const [arg] = node.arguments;
					if (arg !== undefined && ts.isStringLiteralLike(arg)) specifier = arg.text;
					else dynamic = true;
				}
			} else if (
				(ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
				node.moduleSpecifier
			) {
				specifier = node.moduleSpecifier.text;
			}
			if (dynamic) findings.push(`${file}:${lineOf(sf, node)}: a module loaded by a computed name`);
			if (specifier !== undefined && !specifier.startsWith('.')) {
				const base = specifier.startsWith('@')
					? specifier.split('/').slice(0, 2).join('/')
					: specifier.split('/')[0];
				if (!ALLOWED_MODULES.includes(base))
					findings.push(
						`${file}:${lineOf(sf, node)}: imports "${specifier}", which n8n's scanner forbids`,
					);
			}
			// Reflection: a prototype's constructor.
			if (isConstructorAccess(node) && isProtoValue(node.expression)) {
				findings.push(
					`${file}:${lineOf(sf, node)}: takes the constructor of a prototype (reflective access to a class)`,
				);
			}
			// Reflection: a Node class recognised by name.
			if (
				ts.isBinaryExpression(node) &&
				[
					ts.SyntaxKind.EqualsEqualsEqualsToken,
					ts.SyntaxKind.EqualsEqualsToken,
					ts.SyntaxKind.ExclamationEqualsEqualsToken,
					ts.SyntaxKind.ExclamationEqualsToken,
				].includes(node.operatorToken.kind)
			) {
				const [a, b] = [stripParens(node.left), stripParens(node.right)];
				for (const [lit, other] of [
					[a, b],
					[b, a],
				]) {
					if (
						ts.isStringLiteralLike(lit) &&
						NODE_CLASS_NAMES.includes(lit.text) &&
						readsName(other)
					) {
						findings.push(
							`${file}:${lineOf(sf, node)}: recognises the Node class "${lit.text}" by name (reflective access)`,
						);
					}
				}
			}
			ts.forEachChild(node, visit);
		};
		visit(sf);
	}
	return findings;
};
