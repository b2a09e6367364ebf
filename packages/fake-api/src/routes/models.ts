/** `GET /v1/models/{modelId}`: the model's `inputs`, so clients can discover ranges at run time. */
import type { ApiCtx } from '../app.js';
import { errorReply, type Reply } from '../http.js';
import { MODELS } from '../models.js';

export function getModel(ctx: ApiCtx): Reply {
  const model = MODELS.get(ctx.params.id ?? '');
  if (!model) return errorReply(404, `Model not found: ${ctx.params.id}`, ctx.traceId);
  return {
    status: 200,
    body: {
      model: {
        id: model.id,
        name: model.name,
        type: 'custom',
        status: 'trained',
        capabilities: model.capabilities,
        inputs: model.inputs,
        tags: [],
      },
    },
  };
}
