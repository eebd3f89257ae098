import { test } from 'vitest';
import { scenarios } from './integration-scenarios.mjs';

for (const [name, scenario] of Object.entries(scenarios)) test(name, scenario);
