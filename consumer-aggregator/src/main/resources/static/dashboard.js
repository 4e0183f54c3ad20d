'use strict';
// The dashboard reads the same metrics API any client reads, with the project's read token.
// Everything an SDK sent (error titles, page URLs) is untrusted: it is only ever set as text.
(function () {
  const REFRESH_MILLIS = 15000;
  const COLORS = ['#3e63dd', '#e5484d', '#30a46c', '#f76b15', '#8e4ec6', '#12a594', '#d6409f', '#978365'];
  const form = document.getElementById('project');
  const status = document.getElementById('status');
  const charts = {};
  let refreshTimer = null;

  const field = (id) => document.getElementById(id);
  const percent = (ratio) => (ratio * 100).toFixed(1) + ' %';
  const count = (value) => Number(value).toLocaleString('en-US');

  function credentials() {
    return { apikey: field('apikey').value.trim(), token: field('token').value.trim(), window: field('window').value };
  }

  // A link such as /#apikey=demo-project&token=demo-read-token fills the form: the fragment is never sent to a server.
  function fillFromFragment() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    for (const name of ['apikey', 'token', 'window']) {
      if (fragment.get(name)) {
        field(name).value = fragment.get(name);
      }
    }
    return Boolean(field('apikey').value && field('token').value);
  }

  // Where the writer answers (error groups, their occurrences): learnt once from the aggregator.
  let writerUrl = null;

  async function api(path, params) {
    const { apikey, window } = credentials();
    return get(path, new URLSearchParams({ apikey, window, ...params }));
  }

  // The writer's query API takes a time range (epoch ms) where the metrics API takes a window.
  async function writerApi(path, params) {
    if (writerUrl === null) {
      writerUrl = (await get('/api/dashboard/settings', new URLSearchParams())).writerUrl;
    }
    return get(writerUrl + path, new URLSearchParams({ apikey: credentials().apikey, ...params }));
  }

  async function get(url, query) {
    const response = await fetch(url + '?' + query, { headers: { Authorization: 'Bearer ' + credentials().token } });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw Object.assign(new Error(body.message || ('HTTP ' + response.status)), { status: response.status });
    }
    return body.data;
  }

  function setText(id, text, rating) {
    const element = field(id);
    element.textContent = text;
    if (rating !== undefined) {
      element.className = element.className.replace(/\brating-\S+/g, '').trim();
      if (rating) element.classList.add('rating-' + rating);
    }
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function fillTable(id, rows, emptyText, toCells) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = cell(emptyText, 'empty');
      td.colSpan = document.querySelectorAll('#' + id + ' th').length;
      tr.append(td);
      body.append(tr);
      return;
    }
    for (const row of rows) {
      const tr = document.createElement('tr');
      tr.append(...toCells(row));
      body.append(tr);
    }
  }

  function formatVital(name, value) {
    if (value === null || value === undefined) return '–';
    return name === 'CLS' ? value.toFixed(3) : count(Math.round(value)) + ' ms';
  }

  function showOverview(overview) {
    setText('events', count(overview.events));
    setText('error-rate', percent(overview.errorRate));
    setText('errors', count(overview.errors) + ' errors');
    setText('sessions', count(overview.sessions));
    setText('white-screen-rate', percent(overview.whiteScreenRate));
    setText('white-screens', count(overview.whiteScreens) + ' of ' + count(overview.whiteScreenChecks) + ' checks blank');
    const vitals = field('vitals');
    vitals.replaceChildren();
    const names = Object.keys(overview.vitals);
    if (names.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'No web vitals in this window.';
      vitals.append(empty);
    }
    for (const name of names) {
      const vital = overview.vitals[name];
      const tile = document.createElement('div');
      tile.className = 'tile' + (vital.rating ? ' rating-' + vital.rating : '');
      tile.dataset.vital = name;
      const label = document.createElement('span');
      label.className = 'label';
      label.textContent = name;
      const value = document.createElement('span');
      value.className = 'value';
      value.textContent = formatVital(name, vital.p75);
      const detail = document.createElement('span');
      detail.className = 'detail';
      detail.textContent = (vital.rating || 'no plausible value') + ' · ' + count(vital.samples) + ' samples';
      tile.append(label, value, detail);
      vitals.append(tile);
    }
  }

  // One x axis (seconds, as uPlot wants) and one series per metric, in one call that reads each bucket once.
  async function series(metrics) {
    if (!metrics.length) return [[]];
    const answer = await api('/api/metrics/series', { metrics: metrics.join(',') });
    return [answer.t.map((t) => t / 1000), ...metrics.map((metric) => answer.values[metric])];
  }

  function drawChart(id, labels, data) {
    const element = field(id);
    const key = labels.join('|');
    const existing = charts[id];
    if (existing && existing.key === key) {
      existing.plot.setData(data);
      return;
    }
    if (existing) existing.plot.destroy();
    const options = {
      width: Math.max(320, element.clientWidth), height: 240,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, points: { show: false } }))],
      axes: [{}, { size: 56 }],
    };
    charts[id] = { key, plot: new uPlot(options, data, element) };
  }

  async function refresh() {
    try {
      const overview = await api('/api/metrics/overview');
      const types = Object.keys(overview.byType).sort();
      const [topErrors, pages, perType, errorsAndSessions] = await Promise.all([
        api('/api/metrics/top-errors', { limit: 10 }),
        api('/api/metrics/pages', { vital: 'LCP', limit: 10 }),
        series(types.map((type) => 'type:' + type)),
        series(['errors', 'sessions', 'whiteScreens']),
      ]);
      // Shown before drawing, so the charts take the width the layout gives them.
      field('dashboard').hidden = false;
      showOverview(overview);
      fillTable('top-errors', topErrors, 'No errors in this window.', (error) => [
        groupLink(error), cell(error.type, 'nowrap'), cell(count(error.count), 'number'), cell(error.sampleEventId, 'id')]);
      fillTable('slowest-pages', pages, 'No LCP measured in this window.', (page) => [
        cell(page.page), cell(formatVital('LCP', page.p75), 'number rating-' + page.rating), cell(count(page.samples), 'number')]);
      drawChart('events-chart', types, perType);
      drawChart('errors-chart', ['errors', 'sessions', 'white screens'], errorsAndSessions);
      status.className = '';
      status.textContent = credentials().apikey + ' · last ' + credentials().window + ' · updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      // A refused token hides the numbers; a passing failure (the aggregator restarting) keeps the last ones.
      if (error.status === 401 || error.status === 403) {
        field('dashboard').hidden = true;
      }
      status.className = 'error';
      status.textContent = error.message;
    }
  }

  // A top error's title opens its group (all but the groups added up as "(other)", which has none).
  function groupLink(error) {
    const td = document.createElement('td');
    if (!error.sampleEventId) {
      td.textContent = error.title || '(untitled)';
      return td;
    }
    const link = document.createElement('a');
    link.href = '#';
    link.className = 'group-link';
    link.dataset.fingerprint = error.fingerprint;
    link.textContent = error.title || '(untitled)';
    link.addEventListener('click', (event) => {
      event.preventDefault();
      showGroup(error.fingerprint);
    });
    td.append(link);
    return td;
  }

  const when = (millis) => (millis === null || millis === undefined ? '–' : new Date(millis).toLocaleString());

  async function showGroup(fingerprint) {
    const section = field('error-group');
    // Every stored occurrence, not the window's: the writer finds events by the time the browser
    // gave them (indexed), the window counts them by the time they arrived, and the two differ.
    try {
      const [group, occurrences] = await Promise.all([
        writerApi('/api/errors/groups/' + encodeURIComponent(fingerprint), { buckets: 60 }),
        writerApi('/api/errors/list', { fingerprint, pageSize: 5 }),
      ]);
      section.hidden = false;
      section.dataset.fingerprint = fingerprint;
      setText('group-type', group.type);
      setText('group-title', group.title || '(untitled)');
      setText('group-count', count(group.count));
      setText('group-scope', group.newestOnly ? 'stored, the newest counted' : 'stored');
      setText('group-first', when(group.firstSeen));
      setText('group-last', when(group.lastSeen));
      setText('group-sessions', count(group.sessions));
      setText('group-recordings', count(group.withRecording) + ' with a recording');
      const countCells = (row) => [cell(row.value === '' ? '(none)' : row.value), cell(count(row.count), 'number')];
      fillTable('group-pages', group.pages, 'None.', countCells);
      fillTable('group-browsers', group.browsers, 'None.', countCells);
      fillTable('group-systems', group.systems, 'None.', countCells);
      fillTable('group-devices', group.devices, 'None.', countCells);
      const timeline = group.timeline;
      drawChart('group-chart', ['occurrences'], [timeline.counts.map((_, i) => (timeline.start + i * timeline.bucketMillis) / 1000),
        timeline.counts]);
      showOccurrences(occurrences.list);
      section.scrollIntoView();
    } catch (error) {
      status.className = 'error';
      status.textContent = error.message;
    }
  }

  // Each occurrence: when and where, its breadcrumb trail (what the user did before it) and the raw event, all as text.
  function showOccurrences(list) {
    const container = field('group-occurrences');
    container.replaceChildren();
    for (const occurrence of list) {
      const article = document.createElement('article');
      article.className = 'occurrence';
      const heading = document.createElement('h4');
      heading.textContent = when(occurrence.time) + ' · ' + (occurrence.pageUrl || '') + ' · session ' + (occurrence.uuid || '–');
      const trail = document.createElement('table');
      trail.className = 'breadcrumbs';
      const head = trail.createTHead().insertRow();
      for (const name of ['Time', 'Category', 'What']) {
        const th = document.createElement('th');
        th.textContent = name;
        head.append(th);
      }
      trail.createTBody();
      const crumbs = Array.isArray(occurrence.breadcrumb) ? occurrence.breadcrumb : [];
      for (const crumb of crumbs) {
        const tr = document.createElement('tr');
        const what = typeof crumb.data === 'string' ? crumb.data : JSON.stringify(crumb.data);
        tr.append(cell(new Date(crumb.time).toLocaleTimeString()), cell(crumb.category || crumb.type || ''), cell(what || ''));
        trail.tBodies[0].append(tr);
      }
      const raw = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = 'Raw event';
      const pre = document.createElement('pre');
      pre.textContent = JSON.stringify(occurrence, null, 2);
      raw.append(summary, pre);
      article.append(heading);
      if (typeof occurrence.recordScreenId === 'string' && occurrence.recordScreenId !== '') {
        article.append(replayControls(occurrence));
      }
      article.append(trail, raw);
      container.append(article);
    }
  }

  // At most this many pages of a recording's chunks (20 each) are fetched for one replay.
  const MAX_RECORDING_PAGES = 10;
  // Each replay frame and the line that says how it goes: messages are taken from these frames only.
  const replays = new Map();

  window.addEventListener('message', (event) => {
    const replay = replays.get(event.source);
    if (!replay || !event.data || typeof event.data.text !== 'string') return;
    if (event.data.kind === 'ready' && replay.chunks) {
      event.source.postMessage({ chunks: replay.chunks, errorTime: replay.errorTime }, location.origin);
      return;
    }
    replay.status.textContent = event.data.text;
    replay.status.className = 'replay-status' + (event.data.kind === 'error' ? ' error' : '');
  });

  function replayControls(occurrence) {
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
        // The player's page, with a stricter policy than this one's (replay.js says why it is not sandboxed itself).
        const frame = document.createElement('iframe');
        frame.className = 'replay-frame';
        frame.title = 'Session replay';
        frame.src = '/replay.html';
        controls.append(frame);
        replays.set(frame.contentWindow, { chunks, errorTime: occurrence.time, status: line });
      } catch (error) {
        line.textContent = error.status === 404 ? 'No recording of this session is stored.' : error.message;
        line.className = 'replay-status error';
        play.disabled = false;
      }
    });
    return controls;
  }

  field('close-group').addEventListener('click', () => { field('error-group').hidden = true; });

  window.addEventListener('resize', () => {
    for (const [id, chart] of Object.entries(charts)) {
      chart.plot.setSize({ width: Math.max(320, field(id).clientWidth), height: 240 });
    }
  });

  function schedule() {
    clearInterval(refreshTimer);
    if (field('auto-refresh').checked) {
      refreshTimer = setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MILLIS);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
    schedule();
  });
  field('window').addEventListener('change', () => form.requestSubmit());
  field('auto-refresh').addEventListener('change', schedule);
  if (fillFromFragment()) {
    refresh();
    schedule();
  }
})();
