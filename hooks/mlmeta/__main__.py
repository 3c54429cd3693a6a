from mlmeta.cli import main

raise SystemExit(main())
