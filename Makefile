# Thin wrappers over bin/dev, which installs what each step needs.
.PHONY: run test lint worker beat assets
run:
	bin/dev run
test:
	bin/dev test
lint:
	bin/dev lint
worker:
	bin/dev worker
beat:
	bin/dev beat
assets:
	npm ci && npm run build
