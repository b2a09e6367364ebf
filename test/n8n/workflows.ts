/**
 * The workflows the real-n8n end-to-end test imports (n8n 2.41 `import:workflow`). Node type
 * names are the community-package form `<package>.<node>`.
 */
import { createHash } from 'node:crypto';

export const NODE_TYPE = 'n8n-nodes-scenario-video.scenarioVideo';
export const CREDENTIAL = { id: 'scenarioFake0001', name: 'Scenario (fake API)' };

const trigger = {
  id: 'start',
  name: 'Start',
  type: 'n8n-nodes-base.manualTrigger',
  typeVersion: 1,
  position: [0, 0],
  parameters: {},
};

const scenarioNode = (id: string, name: string, position: [number, number], parameters: Record<string, unknown>) => ({
  id,
  name,
  type: NODE_TYPE,
  typeVersion: 1,
  position,
  parameters,
  credentials: { scenarioApi: CREDENTIAL },
});

const chain = (...names: string[]) =>
  Object.fromEntries(
    names.slice(0, -1).map((name, i) => [name, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
  );

/** Generate with the first frame from a URL, output as binary. */
export const generateWorkflow = (imageUrl: string) => ({
  id: 'scnGenerate00001',
  name: 'e2e: Generate → binary',
  active: false,
  settings: { executionOrder: 'v1' },
  nodes: [
    trigger,
    scenarioNode('gen', 'Generate Video', [240, 0], {
      resource: 'video',
      operation: 'generate',
      prompt: 'A paper boat drifts across a pond',
      imageSource: 'url',
      imageUrl,
      resolution: '480p',
      options: { waitTimeoutMinutes: 5 },
    }),
  ],
  connections: chain('Start', 'Generate Video'),
});

/** A PNG from the workflow itself (Set → Convert to File), submitted, then resumed by id. */
export const submitWaitWorkflow = (pngBase64: string) => ({
  id: 'scnSubmitWait001',
  name: 'e2e: Submit → Job Wait',
  active: false,
  settings: { executionOrder: 'v1' },
  nodes: [
    trigger,
    {
      id: 'set',
      name: 'Image',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
      parameters: {
        mode: 'manual',
        assignments: { assignments: [{ id: 'png', name: 'png', value: pngBase64, type: 'string' }] },
        options: {},
      },
    },
    {
      id: 'file',
      name: 'To File',
      type: 'n8n-nodes-base.convertToFile',
      typeVersion: 1.1,
      position: [400, 0],
      parameters: {
        operation: 'toBinary',
        sourceProperty: 'png',
        options: { fileName: 'frame.png', mimeType: 'image/png' },
      },
    },
    scenarioNode('submit', 'Submit Video', [600, 0], {
      resource: 'video',
      operation: 'submit',
      prompt: 'Lanterns rise over a quiet harbour',
      imageSource: 'binary',
      imageBinaryProperty: 'data',
    }),
    scenarioNode('wait', 'Wait For Video', [800, 0], {
      resource: 'job',
      operation: 'wait',
      jobId: '={{ $json.jobId }}',
      binaryPropertyOutput: 'video',
      options: { waitTimeoutMinutes: 5 },
    }),
  ],
  connections: chain('Start', 'Image', 'To File', 'Submit Video', 'Wait For Video'),
});

const webhook = (name: string, path: string, responseMode: 'responseNode' | 'onReceived') => ({
  id: `hook-${path}`,
  name,
  type: 'n8n-nodes-base.webhook',
  typeVersion: 2,
  position: [0, 0],
  // n8n registers production webhooks by this id: a UUID, one per path.
  webhookId: createHash('md5')
    .update(path)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
  parameters: { httpMethod: 'POST', path, responseMode, options: {} },
});

/**
 * Queue mode: a webhook (run by a worker) → Generate (prompt from the request) → a Crypto node
 * that reads the MP4 from n8n's binary store and hashes it (its output drops the binary it
 * hashed, so a Merge puts the hash beside the MP4 again) → Respond to Webhook with the MP4
 * itself, the hash, the job id and the execution id in headers.
 */
export const queueGenerateWorkflow = (imageUrl: string, credential = CREDENTIAL) => ({
  id: 'scnQueueGenerate',
  name: 'e2e queue: Webhook → Generate → Hash → Respond with the MP4',
  active: false,
  settings: { executionOrder: 'v1' },
  nodes: [
    webhook('Webhook', 'scenario-queue-generate', 'responseNode'),
    {
      ...scenarioNode('gen', 'Generate Video', [240, 0], {
        resource: 'video',
        operation: 'generate',
        prompt: '={{ $json.body.prompt }}',
        imageSource: 'url',
        imageUrl,
        resolution: '480p',
        options: { waitTimeoutMinutes: 5 },
      }),
      credentials: { scenarioApi: credential },
    },
    {
      id: 'hash',
      name: 'Hash Video',
      type: 'n8n-nodes-base.crypto',
      typeVersion: 2,
      position: [480, 0],
      parameters: {
        action: 'hash',
        binaryData: true,
        binaryPropertyName: 'data',
        type: 'SHA256',
        encoding: 'hex',
        dataPropertyName: 'sha256',
      },
    },
    {
      id: 'merge',
      name: 'Video And Hash',
      type: 'n8n-nodes-base.merge',
      typeVersion: 3.2,
      position: [720, 0],
      parameters: { mode: 'combine', combineBy: 'combineByPosition', options: {} },
    },
    {
      id: 'respond',
      name: 'Respond With Video',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.1,
      position: [960, 0],
      parameters: {
        respondWith: 'binary',
        options: {
          responseHeaders: {
            entries: [
              { name: 'x-job-id', value: '={{ $json.jobId }}' },
              { name: 'x-video-bytes', value: '={{ $json.videos[0].bytes }}' },
              { name: 'x-sha256', value: '={{ $json.sha256 }}' },
              { name: 'x-execution-id', value: '={{ $execution.id }}' },
            ],
          },
        },
      },
    },
  ],
  connections: {
    ...chain('Webhook', 'Generate Video'),
    'Generate Video': {
      main: [
        [
          { node: 'Hash Video', type: 'main', index: 0 },
          { node: 'Video And Hash', type: 'main', index: 0 },
        ],
      ],
    },
    'Hash Video': { main: [[{ node: 'Video And Hash', type: 'main', index: 1 }]] },
    'Video And Hash': { main: [[{ node: 'Respond With Video', type: 'main', index: 0 }]] },
  },
});

interface TemplateNode {
  name: string;
  type: string;
  parameters: Record<string, unknown>;
  credentials?: Record<string, { id: string; name: string }>;
  [key: string]: unknown;
}

/**
 * examples/n8n/scenario-video-long-render.json as shipped, made runnable headless: its manual
 * trigger becomes a webhook of the same name (so the connections are untouched), its Set node
 * gets the prompt and a local image URL, its credential placeholders our credential. `checks`
 * replaces the template's bound of 30 checks (to test the bound without waiting half an hour).
 */
export const longRenderWorkflow = (
  template: { nodes: TemplateNode[]; connections: unknown; settings?: unknown },
  options: {
    id: string;
    path: string;
    prompt: string;
    imageUrl: string;
    credential: typeof CREDENTIAL;
    checks?: number;
  },
) => {
  const nodes = template.nodes.map((node): TemplateNode => {
    if (node.type === 'n8n-nodes-base.manualTrigger') return { ...webhook(node.name, options.path, 'onReceived') };
    if (node.type === 'n8n-nodes-base.set') {
      const assignments = [
        { id: 'a1', name: 'prompt', value: options.prompt, type: 'string' },
        { id: 'a2', name: 'imageUrl', value: options.imageUrl, type: 'string' },
      ];
      return { ...node, parameters: { ...node.parameters, assignments: { assignments } } };
    }
    if (node.name === 'Checks Left?' && options.checks !== undefined) {
      const text = JSON.stringify(node.parameters).replace('"rightValue":29', `"rightValue":${options.checks - 1}`);
      return { ...node, parameters: JSON.parse(text) as Record<string, unknown> };
    }
    if (node.credentials !== undefined) return { ...node, credentials: { scenarioApi: options.credential } };
    return node;
  });
  return { ...template, id: options.id, name: `e2e queue: ${options.path}`, active: false, nodes };
};

/**
 * More items than the team may run at once (issue 14): a webhook → three prompts, one item each
 * → one Generate node at Max Concurrent Jobs 3. Every item must be delivered, however long the
 * queue for the team's slot lasts (within each item's Wait Timeout).
 */
export const teamLimitWorkflow = (imageUrl: string, credential: typeof CREDENTIAL, prompts: string[]) => ({
  id: 'scnTeamLimit0001',
  name: 'e2e queue: 3 items, team limit 1',
  active: false,
  settings: { executionOrder: 'v1' },
  nodes: [
    webhook('Webhook', 'scenario-team-limit', 'onReceived'),
    {
      id: 'prompts',
      name: 'Prompts',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
      parameters: { mode: 'raw', jsonOutput: JSON.stringify({ prompts }), options: {} },
    },
    {
      id: 'split',
      name: 'One Item Per Prompt',
      type: 'n8n-nodes-base.splitOut',
      typeVersion: 1,
      position: [400, 0],
      parameters: { fieldToSplitOut: 'prompts', options: {} },
    },
    {
      ...scenarioNode('gen', 'Generate Video', [600, 0], {
        resource: 'video',
        operation: 'generate',
        prompt: '={{ $json.prompts }}',
        imageSource: 'url',
        imageUrl,
        resolution: '480p',
        options: { maxConcurrentJobs: 3, waitTimeoutMinutes: 15 },
      }),
      credentials: { scenarioApi: credential },
    },
  ],
  connections: chain('Webhook', 'Prompts', 'One Item Per Prompt', 'Generate Video'),
});
