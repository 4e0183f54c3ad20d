// "Play the session": an occurrence's recording, fetched from the writer a page of chunks at a time
// and handed to the player's page (replay.html, replay.js), which plays it in a frame of its own,
// the occurrence's breadcrumbs beside it: the steps played so far marked, each a place to play from.
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
  const { startTime, current, total } = event.data;
  if (event.data.kind === 'progress' && [startTime, current, total].every(Number.isFinite)) {
    if (!replay.seekable) {
      replay.seekable = true;
      offerSeeking(replay.trail, event.source, startTime, total);
    }
    markPlayed(replay.trail, startTime + current);
  }
});

const seconds = (millis) => (millis / 1000).toFixed(1) + ' s';

// Each step of the trail that the recording covers becomes a control that plays from it.
function offerSeeking(trail, player, startTime, total) {
  for (const row of trail.tBodies[0].rows) {
    if (row.dataset.time === undefined) continue;
    const offset = Number(row.dataset.time) - startTime;
    const timeCell = row.cells[0];
    const seek = document.createElement('button');
    seek.type = 'button';
    seek.className = 'seek';
    seek.textContent = timeCell.textContent;
    const at = document.createElement('span');
    at.className = 'offset';
    if (offset < 0 || offset > total) {
      seek.disabled = true;
      at.textContent = offset < 0 ? 'before the recording' : 'after the recording';
    } else {
      at.textContent = seconds(offset);
      seek.title = 'Play from here';
      seek.addEventListener('click', () => player.postMessage({ seek: Number(row.dataset.time) }, location.origin));
    }
    timeCell.replaceChildren(seek, at);
  }
}

// The steps taken by the moment shown are marked played, the latest of them as now.
function markPlayed(trail, time) {
  let latest = null;
  for (const row of trail.tBodies[0].rows) {
    const played = row.dataset.time !== undefined && Number(row.dataset.time) <= time;
    row.classList.toggle('played', played);
    row.classList.remove('now');
    row.removeAttribute('aria-current');
    if (played) latest = row;
  }
  if (latest) {
    latest.classList.add('now');
    latest.setAttribute('aria-current', 'step');
  }
}

/** Stops and forgets the replays inside {@code container}, before it is emptied or hidden. */
export function removeReplays(container) {
  for (const frame of container.querySelectorAll('iframe.replay-frame')) {
    replays.delete(frame.contentWindow);
    frame.remove();
  }
}

/** The play control of an occurrence with a recording; {@code trail}, its breadcrumbs, moves beside the player. */
export function replayControls(occurrence, trail) {
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
      // The group was closed or another opened meanwhile: nothing to play into, nothing to hold.
      if (!controls.isConnected) return;
      const cut = after ? 'The first ' + chunks.length + ' chunks only. ' : '';
      // The player's page, under a stricter policy than this one's (replay.js says why it is not sandboxed itself).
      const frame = document.createElement('iframe');
      frame.className = 'replay-frame';
      frame.title = 'Session replay';
      frame.src = '/replay.html';
      const stage = document.createElement('div');
      stage.className = 'replay-stage';
      const beside = document.createElement('div');
      beside.className = 'replay-trail';
      beside.append(trail);
      stage.append(frame, beside);
      controls.append(stage);
      replays.set(frame.contentWindow, { chunks, errorTime: occurrence.time, status: line, cut, trail, seekable: false });
    } catch (error) {
      line.textContent = error.status === 404 ? 'No recording of this session is stored.' : error.message;
      line.className = 'replay-status error';
      play.disabled = false;
    }
  });
  return controls;
}
