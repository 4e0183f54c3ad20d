// "Play the session": an occurrence's recording, fetched from the writer a page of chunks at a time
// and handed to the player's page (replay.html, replay.js), which plays it in a frame of its own.
import { writerApi } from './page.js';

// At most this many pages of a recording's chunks (20 each) are fetched for one replay.
const MAX_RECORDING_PAGES = 10;
// Each replay frame and the line that says how it goes: messages are taken from these frames only.
const replays = new Map();

window.addEventListener('message', (event) => {
  const replay = replays.get(event.source);
  if (!replay || event.origin !== location.origin || !event.data || typeof event.data.text !== 'string') return;
  if (event.data.kind === 'ready' && replay.chunks) {
    event.source.postMessage({ chunks: replay.chunks, errorTime: replay.errorTime }, location.origin);
    replay.chunks = null; // the player holds them now
    return;
  }
  replay.status.textContent = replay.cut + event.data.text;
  replay.status.className = 'replay-status' + (event.data.kind === 'error' ? ' error' : '');
});

/** Stops and forgets the replays inside {@code container}, before it is emptied or hidden. */
export function removeReplays(container) {
  for (const frame of container.querySelectorAll('iframe.replay-frame')) {
    replays.delete(frame.contentWindow);
    frame.remove();
  }
}

export function replayControls(occurrence) {
  const controls = document.createElement('div');
  controls.className = 'replay';
  const play = document.createElement('button');
  play.type = 'button';
  play.className = 'play';
  play.textContent = 'Play the session';
  const line = document.createElement('p');
  line.className = 'replay-status';
  controls.append(play, line);
  play.addEventListener('click', async () => {
    play.disabled = true;
    line.textContent = 'Fetching the recording…';
    try {
      const chunks = [];
      let after = null;
      for (let page = 0; page < MAX_RECORDING_PAGES; page++) {
        const recording = await writerApi('/api/record-screen/' + encodeURIComponent(occurrence.recordScreenId),
          after ? { pageSize: 20, after } : { pageSize: 20 });
        chunks.push(...recording.chunks.map((chunk) => chunk.events));
        after = recording.next;
        if (!after) break;
      }
      const cut = after ? 'The first ' + chunks.length + ' chunks only. ' : '';
      // The player's page, under a stricter policy than this one's (replay.js says why it is not sandboxed itself).
      const frame = document.createElement('iframe');
      frame.className = 'replay-frame';
      frame.title = 'Session replay';
      frame.src = '/replay.html';
      controls.append(frame);
      replays.set(frame.contentWindow, { chunks, errorTime: occurrence.time, status: line, cut });
    } catch (error) {
      line.textContent = error.status === 404 ? 'No recording of this session is stored.' : error.message;
      line.className = 'replay-status error';
      play.disabled = false;
    }
  });
  return controls;
}
