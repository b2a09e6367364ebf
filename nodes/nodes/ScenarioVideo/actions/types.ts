import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { NodeClient } from '../transport';

/** Every operation: `execute` runs all input items and returns their outputs, paired. */
export type OperationExecute = (
	this: IExecuteFunctions,
	env: NodeClient,
) => Promise<INodeExecutionData[]>;
