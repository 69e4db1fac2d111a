#include "driver/failure.h"

namespace corowasm::detail {

Failure failure_of(std::exception_ptr error) {
  using Origin = Failure::Origin;
  try {
    std::rethrow_exception(error);
  } catch (const Trap& trap) {
    return {Origin::Trap, trap};
  } catch (const LinkError& e) {
    return {Origin::LinkError, Trap(TrapKind::Host, e.what())};
  } catch (const Error& e) {
    return {Origin::Error, Trap(TrapKind::Host, e.what())};
  } catch (const std::exception& e) {
    return {Origin::Std, Trap(TrapKind::Host, e.what())};
  } catch (...) {
    return {Origin::Unknown, Trap(TrapKind::Host, "host function threw a non-standard exception")};
  }
}

}  // namespace corowasm::detail
