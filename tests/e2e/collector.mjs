// A small OTLP/HTTP collector for the sending tests: it answers as a scenario in the path says,
// records what it was sent, and allows any origin (as a collector set up for a browser does).
//
//   /ok/v1/traces          200
//   /flaky/v1/traces       503 to the first request, then 200
//   /limited/v1/traces     429 with Retry-After: 1 to the first request, then 200
//   /small/<max>/v1/traces 413 to bodies over <max> bytes, else 200
//   /bad/v1/traces         400 "invalid trace id"
//   /json-refused/v1/traces 415 to JSON bodies, as Phoenix does
//   /redirect/<port>/v1/traces 307 to the collector at <port> (another origin)
import { createServer } from 'node:http';

export async function startCollector() {
  const requests = [];
  const server = createServer((request, response) => {
    const cors = {
      'access-control-allow-origin': request.headers.origin ?? '*',
      'access-control-allow-headers': '*',
      'access-control-allow-methods': 'POST',
      'access-control-expose-headers': 'retry-after',
    };
    if (request.method === 'OPTIONS') {
      response.writeHead(204, cors);
      response.end();
      return;
    }
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const [, scenario, max] = request.url.split('/');
      const seen = requests.filter((r) => r.scenario === scenario).length;
      requests.push({
        scenario, bytes: body.length, body,
        contentType: request.headers['content-type'],
        contentEncoding: request.headers['content-encoding'],
        authorization: request.headers.authorization,
        apiKey: request.headers.api_key,
      });
      const answer = (status, text = '', extra = {}) => {
        response.writeHead(status, { ...cors, 'content-type': 'text/plain', ...extra });
        response.end(text);
      };
      if (scenario === 'flaky' && seen === 0) return answer(503, 'busy');
      if (scenario === 'limited' && seen === 0) return answer(429, 'slow down', { 'retry-after': '1' });
      if (scenario === 'small' && body.length > Number(max)) return answer(413, 'too large');
      if (scenario === 'bad') return answer(400, 'invalid trace id');
      if (scenario === 'redirect') return answer(307, '', { location: `http://127.0.0.1:${max}/ok/v1/traces` });
      if (scenario === 'json-refused' && request.headers['content-type'] === 'application/json') return answer(415, 'Unsupported Media Type');
      response.writeHead(200, { ...cors, 'content-type': 'application/x-protobuf' });
      response.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
}
