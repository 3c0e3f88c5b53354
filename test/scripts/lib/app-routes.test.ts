import { appRoutes } from '../../../scripts/lib/app-routes';

describe('the pages preview:pages opens', () => {
  it('given pages and subpackages (either spelling, root with or without a slash), then every route in app.json order', () => {
    expect(
      appRoutes({
        pages: ['pages/index/index', 'pages/my/index'],
        subpackages: [
          { root: 'packageA', pages: ['list/list'] },
          { root: 'packageB/', pages: ['edit/edit'] },
        ],
      }),
    ).toEqual(['pages/index/index', 'pages/my/index', 'packageA/list/list', 'packageB/edit/edit']);
    expect(appRoutes({ pages: ['a/b'], subPackages: [{ root: 'x', pages: ['y'] }] })).toEqual(['a/b', 'x/y']);
    expect(appRoutes(null)).toEqual([]);
  });
});
