import { loadAssets } from '../assets.js';
import { PAGE_ROUTE, type Page } from '../kit/page.js';

/** `GET /assets/:name`: the style sheet and the checklist script, read once (an unknown name: not found). */
export const assetFiles: Page = (app) => {
  const assets = loadAssets(app.log);
  app.get<{ Params: { name: string } }>('/assets/:name', PAGE_ROUTE, async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=300').type(asset.type).send(asset.body);
  });
};
