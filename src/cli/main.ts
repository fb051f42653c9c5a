#!/usr/bin/env node
// Entry point of the `zenoo` executable: builds the commander program and runs it with the process arguments.
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
