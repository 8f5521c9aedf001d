package dev.skyferry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.ClientAuthenticationException;
import com.microsoft.aad.msal4j.ManagedIdentitySourceType;
import com.microsoft.aad.msal4j.MsalServiceException;
import org.junit.jupiter.api.Test;

/**
 * How a managed identity endpoint's refusal is told from its outage when msal4j hands us only the
 * message (its managed identity sources drop the HTTP status). The App Service endpoint is covered end
 * to end by {@link ManagedIdentityAppServiceTest}; IMDS lives at a link-local address no test can
 * serve, so its failures are built here exactly as msal4j 1.23's IMDSManagedIdentitySource builds them.
 */
class IdentityFailuresTest {

    private static IdentityFailure imdsAnswered(String message) {
        var msal = new MsalServiceException(message, "managed_identity_request_failed", ManagedIdentitySourceType.IMDS);
        return IdentityFailures.fromEntra(new ClientAuthenticationException("Managed Identity authentication failed.", null, msal),
                "https://storage.azure.com/.default", IdentityHints.Context.NONE);
    }

    @Test
    void imdsRefusingAnIdentityNotAssignedToTheVmIsRejected() {
        assertThat(imdsAnswered("[Managed Identity] Service request failed. Status: 400 [Managed Identity] Authentication"
                + " unavailable. The requested identity has not been assigned to this resource."))
                .isInstanceOf(IdentityRejectedException.class);
    }

    @Test
    void imdsThrottlingOrAGatewayErrorIsTransient() {
        assertThat(imdsAnswered("[Managed Identity] Error Message: Too many requests Managed Identity Correlation ID: 1"))
                .isInstanceOf(IdentityUnavailableException.class);
        assertThat(imdsAnswered("[Managed Identity] Service request failed. Status: 504 [Managed Identity] Authentication"
                + " unavailable. The request failed due to a gateway error."))
                .isInstanceOf(IdentityUnavailableException.class);
    }

}
