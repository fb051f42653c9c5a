// Copies the data files the library reads at run time (the sandbox's company snapshot) from src to dist after `tsc`.
import { copyFileSync, mkdirSync } from 'node:fs';

const assets = ['sandbox/company/fields-odoo-17.0-company.json'];
for (const asset of assets) {
  const target = new URL(`../dist/${asset}`, import.meta.url);
  mkdirSync(new URL('.', target), { recursive: true });
  copyFileSync(new URL(`../src/${asset}`, import.meta.url), target);
}
