'use strict';
// Plays one session recording. A recording is what browsers sent, untrusted. rrweb rebuilds the
// recorded DOM in a frame of its own, sandboxed with no scripts (allow-same-origin only, so that
// rrweb can build in it). Played from an offset, rrweb first applies the earlier changes at once and
// holds their nodes in this page's document meanwhile: there, what stops a recorded handler
// (<img onerror=...>) is this page's policy (replay.html's, from the aggregator): scripts from this
// origin's files only, never inline. The same policy, which rrweb's frame takes too, lets nothing be
// fetched but this origin's files, images only as data:. This page is not itself sandboxed into an
// origin of its own: sandbox flags pass to nested frames, and rrweb's frame would then be closed to
// rrweb too; a player on an origin of its own is the stronger design (docs/interfaces.md).
(function () {
  // Play from a little before the error, so that what led to it is seen.
  const LEAD_MILLIS = 5000;
  // What a recording may inflate to: a few kilobytes of gzip can claim gigabytes.
  const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
  const MAX_RECORDING_BYTES = 128 * 1024 * 1024;
  const MAX_EVENTS = 200000;
  // Links a browser follows on its own (a recorded page could learn who watches it, and when).
  const FETCHING_LINKS = /\b(preconnect|dns-prefetch|prefetch|preload|prerender|modulepreload|icon)\b/i;
  const status = document.getElementById('replay-status');
  const player = document.getElementById('player');
  let inflated = 0;
  let progress = null;
  // Whether the recording came, and how a breadcrumb chosen beside the player plays from its moment.
  let started = false;
  let seek = null;
  // Once rrweb failed, the controls and breadcrumbs play nothing more: the error stays said.
  let failed = false;

  // The dashboard takes messages from this frame only, and shows their text as text.
  function tell(kind, text, extra) {
    status.textContent = text;
    window.parent.postMessage({ kind, text, ...extra }, location.origin);
  }

  function bytesOf(base64) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  // gunzip, reading at most MAX_CHUNK_BYTES of the chunk and MAX_RECORDING_BYTES in all.
  async function gunzip(bytes) {
    const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    const parts = [];
    let length = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      inflated += value.length;
      if (length > MAX_CHUNK_BYTES || inflated > MAX_RECORDING_BYTES) {
        await reader.cancel();
        throw new Error('it inflates past ' + (length > MAX_CHUNK_BYTES ? MAX_CHUNK_BYTES : MAX_RECORDING_BYTES) / 1048576 + ' MiB');
      }
      parts.push(value);
    }
    return new TextDecoder('ascii').decode(await new Blob(parts).arrayBuffer());
  }

  // The web-see SDK sends `events` as base64(gzip(base64(UTF-8 JSON array of rrweb events))).
  async function decode(events) {
    if (typeof events !== 'string' || events === '') throw new Error('no events');
    const json = new TextDecoder('utf-8', { fatal: true }).decode(bytesOf((await gunzip(bytesOf(events))).trim()));
    const parsed = JSON.parse(json);
    if (!Array.isArray(parsed)) throw new Error('not a list of rrweb events');
    return parsed;
  }

  // A recorded node's attributes under their lower-case names: the browser lower-cases them when rrweb
  // sets them, so REL="preconnect" is a preconnect as rel="preconnect" is.
  function lowerCased(attributes) {
    const lower = {};
    for (const [name, value] of Object.entries(attributes || {})) lower[String(name).toLowerCase()] = value;
    return lower;
  }

  // Recorded nodes a browser would fetch for by itself, whatever the policy says: left out. An element
  // whose tag is not a string is too: rrweb would make an element of whatever it turns into as text.
  function fetchesOnItsOwn(node) {
    if (!node || node.type !== 2) return false;
    if (typeof node.tagName !== 'string') return true;
    const tag = node.tagName.toLowerCase();
    const attributes = lowerCased(node.attributes);
    return (tag === 'link' && FETCHING_LINKS.test(String(attributes.rel || '')))
      || (tag === 'meta' && attributes['http-equiv'] !== undefined) || tag === 'base';
  }

  // A frame's srcdoc is a document the browser builds by itself, preconnects included, out of rrweb's
  // sight (rrweb records a frame's document as nodes of its own, so replays lose nothing).
  const isSrcdoc = (name) => String(name).toLowerCase() === 'srcdoc';

  // rrweb rewrites recorded CSS for :hover with regular expressions that a crafted style sheet keeps
  // busy for hours (an unclosed comment over a few dozen lines): recorded CSS goes to the browser's
  // own parser instead, as the text of a style element. Replays lose rrweb's :hover emulation.
  // Answers the text node made for a sheet rrweb inlined, if any.
  let syntheticId = -1000000000;
  function withoutCssRewrite(node) {
    if (node.type === 3 && node.isStyle) node.isStyle = false;
    if (node.type !== 2 || !node.attributes || typeof node.attributes !== 'object') return null;
    for (const name of Object.keys(node.attributes)) if (isSrcdoc(name)) delete node.attributes[name];
    if (!Object.prototype.hasOwnProperty.call(node.attributes, '_cssText')) return null;
    const css = String(node.attributes._cssText);
    // A link whose sheet rrweb inlined is rebuilt as a style element: nothing of it to fetch.
    node.tagName = 'style';
    node.attributes = {};
    const text = (Array.isArray(node.childNodes) ? node.childNodes : []).find((child) => child && child.type === 3);
    const cssText = { type: 3, textContent: css, id: text && Number.isFinite(text.id) ? text.id : syntheticId-- };
    node.childNodes = [cssText];
    return cssText;
  }

  function cleanedNode(node) {
    if (!node || typeof node !== 'object') return node;
    withoutCssRewrite(node);
    if (Array.isArray(node.childNodes)) {
      node.childNodes = node.childNodes.filter((child) => !fetchesOnItsOwn(child));
      node.childNodes.forEach(cleanedNode);
    }
    return node;
  }

  // An added node: rrweb builds it without its children (they come as adds of their own), so the
  // text made for an inlined sheet is added after it.
  function cleanedAdds(adds) {
    const cleanedOnes = [];
    for (const add of adds) {
      if (!add || fetchesOnItsOwn(add.node)) continue;
      const node = add.node && typeof add.node === 'object' ? add.node : null;
      const cssText = node ? withoutCssRewrite(node) : null;
      cleanedOnes.push({ ...add, node: cleanedNode(node || add.node) });
      if (cssText) cleanedOnes.push({ parentId: node.id, nextId: null, node: cssText });
    }
    return cleanedOnes;
  }

  // Changed attributes a browser would act on by itself, in any case, left out.
  const DROPPED_CHANGES = new Set(['rel', 'http-equiv', '_csstext', 'srcdoc']);

  // A full snapshot's page, and a DOM change's added nodes and changed attributes, cleaned.
  function cleaned(event) {
    if (event.type === 2 && event.data && event.data.node) {
      cleanedNode(event.data.node);
    } else if (event.type === 3 && event.data && event.data.source === 0) {
      if (Array.isArray(event.data.adds)) event.data.adds = cleanedAdds(event.data.adds);
      if (Array.isArray(event.data.attributes)) {
        event.data.attributes.forEach((change) => {
          if (!change || !change.attributes || typeof change.attributes !== 'object') return;
          for (const name of Object.keys(change.attributes)) {
            if (DROPPED_CHANGES.has(name.toLowerCase())) delete change.attributes[name];
          }
        });
      }
    }
    return event;
  }

  async function play(chunks, errorTime) {
    const events = [];
    for (let i = 0; i < chunks.length; i++) {
      let decoded;
      try {
        decoded = await decode(chunks[i]);
      } catch (error) {
        throw new Error('chunk ' + (i + 1) + ' of ' + chunks.length + ' is not a web-see recording (' + error.message + ')');
      }
      for (const event of decoded) {
        if (events.length === MAX_EVENTS) throw new Error('it holds more than ' + MAX_EVENTS + ' rrweb events');
        if (event && typeof event.type === 'number' && Number.isFinite(event.timestamp)) events.push(cleaned(event));
      }
    }
    events.sort((a, b) => a.timestamp - b.timestamp);
    if (!events.some((event) => event.type === 2)) {
      throw new Error('it holds no snapshot of the page (rrweb event of type 2)');
    }
    try {
      return startPlaying(events, errorTime);
    } catch (error) {
      throw new Error('rrweb stopped on it (' + error.message + ')');
    }
  }

  // The player over decoded, cleaned events; answers how to play from a moment.
  function startPlaying(events, errorTime) {
    const replayer = new rrwebReplay.Replayer(events, {
      root: player, mouseTail: false, showWarning: false, showDebug: false, triggerFocus: false, UNSAFE_replayCanvas: false,
    });
    replayer.on('resize', (size) => {
      const scale = Math.min(1, window.innerWidth / size.width);
      player.querySelector('.replayer-wrapper').style.transform = 'scale(' + scale + ')';
      player.style.height = Math.ceil(size.height * scale) + 'px';
    });
    const meta = replayer.getMetaData();
    const seconds = (millis) => (millis / 1000).toFixed(1) + ' s';
    const errorAt = seconds(Math.max(0, errorTime - meta.startTime));
    const within = (offset) => Math.min(Math.max(0, offset), meta.totalTime);
    const pause = document.getElementById('pause');
    let from = 0;
    const report = (verb, current) => tell('progress', verb + ' ' + seconds(current) + ' of ' + seconds(meta.totalTime)
      + ' (from ' + seconds(from) + ', the error at ' + errorAt + ')',
      { current, total: meta.totalTime, startTime: meta.startTime, events: events.length });
    // Plays from an offset, telling the dashboard how far it got four times a second until the end.
    const playFrom = (offset) => {
      if (failed) return;
      clearInterval(progress);
      from = within(offset);
      replayer.play(from);
      pause.textContent = 'Pause';
      progress = setInterval(() => {
        const current = Math.min(replayer.getCurrentTime(), meta.totalTime);
        const finished = current >= meta.totalTime;
        report(finished ? 'Played' : 'Playing', current);
        if (finished) {
          clearInterval(progress);
          pause.textContent = 'Play';
        }
      }, 250);
    };
    pause.addEventListener('click', () => {
      if (failed) return;
      const current = Math.min(replayer.getCurrentTime(), meta.totalTime);
      if (pause.textContent === 'Pause') {
        clearInterval(progress);
        replayer.pause();
        pause.textContent = 'Play';
        report('Paused at', current);
      } else {
        playFrom(current >= meta.totalTime ? 0 : current);
      }
    });
    document.getElementById('restart').addEventListener('click', () => playFrom(0));
    document.getElementById('speed').addEventListener('change', (event) => replayer.setConfig({ speed: Number(event.target.value) || 1 }));
    playFrom(errorTime - meta.startTime - LEAD_MILLIS);
    document.getElementById('controls').hidden = false;
    // A breadcrumb chosen beside the player: play from its moment.
    return (time) => playFrom(time - meta.startTime);
  }

  // A recording that decodes but that rrweb cannot rebuild fails inside rrweb's own timers: said, not left blank.
  function failedInRrweb(reason) {
    if (!started || failed) return;
    failed = true;
    clearInterval(progress);
    document.getElementById('controls').hidden = true;
    tell('error', 'The recording cannot be played: rrweb stopped on it (' + reason + ')');
  }
  window.addEventListener('error', (event) => failedInRrweb(event.message));
  window.addEventListener('unhandledrejection', (event) => failedInRrweb(String((event.reason && event.reason.message) || event.reason)));

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.origin !== location.origin || !event.data) return;
    if (seek && Number.isFinite(event.data.seek)) {
      seek(event.data.seek);
      return;
    }
    if (started || !Array.isArray(event.data.chunks)) return;
    started = true;
    play(event.data.chunks, Number(event.data.errorTime) || 0)
      .then((seekTo) => { seek = seekTo; })
      .catch((error) => tell('error', 'The recording cannot be played: ' + error.message));
  });
  tell('ready', 'Waiting for the recording…');
})();
