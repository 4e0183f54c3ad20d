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

  async function api(path, params) {
    const { apikey, token, window } = credentials();
    const query = new URLSearchParams({ apikey, window, ...params });
    const response = await fetch(path + '?' + query, { headers: { Authorization: 'Bearer ' + token } });
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
        cell(error.title || '(untitled)'), cell(error.type, 'nowrap'), cell(count(error.count), 'number'), cell(error.sampleEventId, 'id')]);
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
