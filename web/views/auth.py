"""Vietnamese login page with the shared throttle (accounts.ratelimit); logout is POST only."""
from django.contrib.auth import views as auth_views

from accounts import ratelimit


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        address = ratelimit.client_address(request)
        if ratelimit.is_locked(username, address):
            form = self.get_form_class()(request, initial={"username": username})
            response = self.render_to_response(self.get_context_data(form=form, locked=ratelimit.locked_message()))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.record_failure(self.request.POST.get("username", ""), ratelimit.client_address(self.request))
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def form_valid(self, form):
        ratelimit.reset(form.get_user().get_username(), ratelimit.client_address(self.request))
        return super().form_valid(form)
