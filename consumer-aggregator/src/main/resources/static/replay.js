'use strict';
// Plays one session recording. A recording is what browsers sent, untrusted. rrweb rebuilds the
// recorded DOM in a frame of its own, sandboxed with no scripts (allow-same-origin only, so that
// rrweb can build in it): no recorded script, handler or javascript: URL runs. That frame takes
// this page's policy (replay.html's, from the aggregator), which lets nothing be fetched but this
// page's own files, images only as data:, so no recorded URL is ever requested. This page is not
// itself sandboxed into an origin of its own: sandbox flags pass to nested frames, and rrweb's frame
// would then be closed to rrweb too.
(function () {
  // Play from a little before the error, so that what led to it is seen.
  const LEAD_MILLIS = 5000;
  const status = document.getElementById('replay-status');
  const player = document.getElementById('player');

  // The dashboard takes messages from this frame only, and shows their text as text.
  function tell(kind, text, extra) {
    status.textContent = text;
    window.parent.postMessage({ kind, text, ...extra }, location.origin);
  }

  // The web-see SDK sends `events` as base64(gzip(base64(UTF-8 JSON array of rrweb events))).
  async function decode(events) {
    if (typeof events !== 'string' || events === '') throw new Error('no events');
    const gzipped = Uint8Array.from(atob(events), (c) => c.charCodeAt(0));
    const inflated = new Blob([gzipped]).stream().pipeThrough(new DecompressionStream('gzip'));
    const base64 = (await new Response(inflated).text()).trim();
    const json = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const parsed = JSON.parse(json);
    if (!Array.isArray(parsed)) throw new Error('not a list of rrweb events');
    return parsed;
  }

  async function play(chunks, errorTime) {
    const events = [];
    for (let i = 0; i < chunks.length; i++) {
      try {
        events.push(...await decode(chunks[i]));
      } catch (error) {
        throw new Error('chunk ' + (i + 1) + ' of ' + chunks.length + ' is not a web-see recording (' + error.message + ')');
      }
    }
    const playable = events.filter((event) => event && typeof event.type === 'number' && Number.isFinite(event.timestamp))
      .sort((a, b) => a.timestamp - b.timestamp);
    if (!playable.some((event) => event.type === 2)) {
      throw new Error('it holds no snapshot of the page (rrweb event of type 2)');
    }
    const replayer = new rrwebReplay.Replayer(playable, {
      root: player, mouseTail: false, showWarning: false, showDebug: false, triggerFocus: false, UNSAFE_replayCanvas: false,
    });
    replayer.on('resize', (size) => {
      const scale = Math.min(1, window.innerWidth / size.width);
      const wrapper = player.querySelector('.replayer-wrapper');
      wrapper.style.transform = 'scale(' + scale + ')';
      player.style.height = Math.ceil(size.height * scale) + 'px';
    });
    const meta = replayer.getMetaData();
    const from = Math.min(Math.max(0, errorTime - meta.startTime - LEAD_MILLIS), meta.totalTime);
    replayer.play(from);
    const seconds = (millis) => (millis / 1000).toFixed(1) + ' s';
    const progress = setInterval(() => {
      const current = Math.min(replayer.getCurrentTime(), meta.totalTime);
      const finished = current >= meta.totalTime;
      tell('progress', (finished ? 'Played ' : 'Playing ') + seconds(current) + ' of ' + seconds(meta.totalTime)
        + ' (from ' + seconds(from) + ', the error at ' + seconds(Math.max(0, errorTime - meta.startTime)) + ')',
        { current, total: meta.totalTime, events: playable.length });
      if (finished) clearInterval(progress);
    }, 250);
  }

  let started = false;
  window.addEventListener('message', (event) => {
    if (started || event.source !== window.parent || event.origin !== location.origin || !event.data
      || !Array.isArray(event.data.chunks)) return;
    started = true;
    play(event.data.chunks, Number(event.data.errorTime) || 0)
      .catch((error) => tell('error', 'The recording cannot be played: ' + error.message));
  });
  tell('ready', 'Waiting for the recording…');
})();
