from mockums.cli import main

raise SystemExit(main())
