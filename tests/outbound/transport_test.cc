#include "gateway/outbound/transport.h"

#include <gtest/gtest.h>
