/**
 * The workflows the real-n8n end-to-end test imports (n8n 2.41 `import:workflow`). Node type
 * names are the community-package form `<package>.<node>`.
 */
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
