import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { GenerationScheduler } from '../core';
import type { NodeClient } from '../transport';

/** What every operation gets: the client, the team's scheduler and the node's own settings. */
export interface OperationEnv extends NodeClient {
	/** The team's generation slots, shared by this credential's executions in this process. */
	scheduler: GenerationScheduler;
	/** "Continue On Fail", as the node's `execute` read it. */
	continueOnFail: boolean;
}

/** Every operation: `execute` runs all input items and returns their outputs, paired. */
export type OperationExecute = (
	this: IExecuteFunctions,
	env: OperationEnv,
) => Promise<INodeExecutionData[]>;
