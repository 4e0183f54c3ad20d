// The dashboard reads the same metrics API any client reads, with the project's read token; a top
// error opens its group (error-group.js), read from the writer.
import { api, cell, count, credentials, drawChart, field, fillTable, setText, showStatus } from './page.js';
import { closeGroup, groupLink } from './error-group.js';
import { forgetRecentErrors, refreshRecentErrors, showRecentErrors } from './recent-errors.js';

const REFRESH_MILLIS = 15000;
const form = field('project');
let refreshTimer = null;

const percent = (ratio) => (ratio * 100).toFixed(1) + ' %';

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

// A timed refresh keeps the recent errors' page; a new request (another project, window) starts them over.
async function refresh(startOver) {
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
      // "(other)", the groups added up, has no sample and opens nothing.
      groupLink(error.sampleEventId ? error.fingerprint : null, error.title), cell(error.type, 'nowrap'), cell(count(error.count), 'number'), cell(error.sampleEventId, 'id')]);
    fillTable('slowest-pages', pages, 'No LCP measured in this window.', (page) => [
      cell(page.page), cell(formatVital('LCP', page.p75), 'number rating-' + page.rating), cell(count(page.samples), 'number')]);
    drawChart('events-chart', types, perType);
    drawChart('errors-chart', ['errors', 'sessions', 'white screens'], errorsAndSessions);
    if (startOver) showRecentErrors(); else refreshRecentErrors();
    showStatus(credentials().apikey + ' · last ' + credentials().window + ' · updated ' + new Date().toLocaleTimeString());
  } catch (error) {
    // A refused token hides the numbers; a passing failure (the aggregator restarting) keeps the last ones.
    if (error.status === 401 || error.status === 403) {
      field('dashboard').hidden = true;
    }
    showStatus(error.message, true);
  }
}

function schedule() {
  clearInterval(refreshTimer);
  if (field('auto-refresh').checked) {
    refreshTimer = setInterval(() => { if (!document.hidden) refresh(); }, REFRESH_MILLIS);
  }
}

let shownProject = null;
form.addEventListener('submit', (event) => {
  event.preventDefault();
  // Another project's group and errors must not stay on screen under this one's numbers.
  if (shownProject !== credentials().apikey) {
    closeGroup();
    forgetRecentErrors();
  }
  shownProject = credentials().apikey;
  refresh(true);
  schedule();
});
field('window').addEventListener('change', () => form.requestSubmit());
field('auto-refresh').addEventListener('change', schedule);
if (fillFromFragment()) {
  shownProject = credentials().apikey;
  refresh(true);
  schedule();
}
