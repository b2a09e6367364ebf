/**
 * The n8n fields keep their Wan 2.2 numbers as literals (n8n's lint reads the description
 * statically), so the core's table cannot feed them: this checks the literals against it instead.
 * Defaults, ranges and options are checked in execute.test.ts ("the description"); here, the
 * ranges written out in the descriptions, which people read.
 */
import { describe, expect, it } from 'vitest';
import type { INodeProperties } from 'n8n-workflow';
import { WAN_PARAMS } from '@scenario-video/core';
import { tuningOptions, videoInputFields } from '../nodes/ScenarioVideo/actions/fields';

describe('the Wan 2.2 fields', () => {
	const fields: INodeProperties[] = [...videoInputFields, ...tuningOptions];

	it.each(Object.entries(WAN_PARAMS).filter(([, spec]) => 'min' in spec))(
		"%s's description gives the core's range",
		(name, spec) => {
			const field = fields.find((f) => f.name === name);
			const { min, max } = spec as { min: number; max: number };
			expect(field?.description).toContain(`(${min}–${max})`);
		},
	);
});
