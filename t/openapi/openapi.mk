# The OpenAPI document, checked by a real validator from the npm registry.
#
#   make openapi-validate   build the module, start nginx with
#                           nginx.conf.example (on free ports, logs under
#                           build/openapi/run, plus a location with an API
#                           key), fetch {prefix}/openapi.json of both
#                           locations, validate them with
#                           @seriousme/openapi-schema-validator, and check
#                           the meta endpoint of every provider, resource and
#                           method against the document
#
# The validator is installed with the machine's npm into build/openapi.
# Included by the top Makefile; defines no default goal.

UM_OPENAPI_DIR       := $(CURDIR)/build/openapi
UM_OPENAPI_VALIDATOR := $(UM_OPENAPI_DIR)/node_modules/@seriousme/openapi-schema-validator/index.js
UM_OPENAPI_NPM       ?= npm

.PHONY: openapi-validate

$(UM_OPENAPI_VALIDATOR):
	@mkdir -p $(UM_OPENAPI_DIR)
	$(UM_OPENAPI_NPM) install --no-audit --no-fund --prefix $(UM_OPENAPI_DIR) \
	    @seriousme/openapi-schema-validator@2

openapi-validate: deps all $(UM_OPENAPI_VALIDATOR)
	t/openapi/run.sh $(CURDIR) $(UM_OPENAPI_VALIDATOR)
