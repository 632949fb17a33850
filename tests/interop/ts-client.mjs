// Interop check: the official MCP TypeScript SDK's WebSocket client against a Pmcp.Actors server.
//
// Usage: node ts-client.mjs <ws-url>        (needs Node >= 22 for the global WebSocket)
//
// On success prints exactly one line of JSON to stdout and exits 0:
//   {"serverName":..,"serverVersion":..,"protocolVersion":..,"tools":[..],"echo":..,"add":..,"ping":"ok"}
// On any failure prints the error to stderr and exits 1.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';

const OVERALL_TIMEOUT_MS = 20_000;

function fail(error) {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`ts-client: ${text}\n`, () => process.exit(1));
    // In case the write callback never fires (e.g. stderr closed), make sure we still exit.
    setTimeout(() => process.exit(1), 1_000).unref();
}

process.on('unhandledRejection', reason => fail(reason));
process.on('uncaughtException', error => fail(error));

// Client.connect() calls transport.setProtocolVersion(v) after initialize when the
// transport has it (the HTTP transport uses it); the WebSocket transport does not,
// so add it to record the negotiated protocol version.
class RecordingWebSocketClientTransport extends WebSocketClientTransport {
    protocolVersion = undefined;

    setProtocolVersion(version) {
        this.protocolVersion = version;
    }
}

function firstText(result, toolName) {
    if (result.isError) {
        throw new Error(`tool '${toolName}' returned isError: ${JSON.stringify(result.content)}`);
    }
    const item = (result.content ?? []).find(c => c.type === 'text');
    if (item === undefined) {
        throw new Error(`tool '${toolName}' returned no text content: ${JSON.stringify(result)}`);
    }
    return item.text;
}

async function main(url) {
    const transport = new RecordingWebSocketClientTransport(new URL(url));
    const client = new Client({ name: 'pmcp-interop-ts-client', version: '1.0.0' }, { capabilities: {} });
    client.onerror = error => process.stderr.write(`ts-client: transport error: ${error?.message ?? error}\n`);

    await client.connect(transport); // opens the socket and performs initialize + notifications/initialized
    try {
        const serverInfo = client.getServerVersion();
        if (!serverInfo) {
            throw new Error('no serverInfo after initialize');
        }

        const tools = [];
        const seenCursors = new Set();
        let cursor = undefined;
        do {
            const page = await client.listTools(cursor === undefined ? {} : { cursor });
            tools.push(...page.tools.map(t => t.name));
            cursor = page.nextCursor;
            if (cursor !== undefined) {
                if (seenCursors.has(cursor)) {
                    throw new Error(`tools/list returned a repeated nextCursor: ${cursor}`);
                }
                seenCursors.add(cursor);
            }
        } while (cursor !== undefined);

        const echo = firstText(await client.callTool({ name: 'echo', arguments: { text: 'hello from typescript' } }), 'echo');
        const add = firstText(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }), 'add');
        await client.ping();

        return {
            serverName: serverInfo.name,
            serverVersion: serverInfo.version,
            protocolVersion: transport.protocolVersion,
            tools,
            echo,
            add,
            ping: 'ok',
        };
    } finally {
        await client.close();
    }
}

const url = process.argv[2];
if (!url) {
    process.stderr.write('usage: node ts-client.mjs <ws-url>\n');
    process.exit(1);
}
if (typeof globalThis.WebSocket !== 'function') {
    process.stderr.write(`ts-client: this Node (${process.version}) has no global WebSocket; use Node >= 22\n`);
    process.exit(1);
}

const timer = setTimeout(
    () => fail(new Error(`timed out after ${OVERALL_TIMEOUT_MS} ms talking to ${url}`)),
    OVERALL_TIMEOUT_MS);

main(url).then(
    summary => {
        clearTimeout(timer);
        process.stdout.write(JSON.stringify(summary) + '\n', () => process.exit(0));
    },
    error => {
        clearTimeout(timer);
        fail(error);
    });
